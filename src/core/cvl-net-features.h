/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the lecture network's convolutions make of one digit: the feature
 * maps after conv1 + ReLU and conv2 + ReLU, for the Draw page. Written tap by
 * tap for one image, so it needs no training workspace. */
#pragma once

#include "cvl-net.h"

G_BEGIN_DECLS

#define CVL_NET_CONV1_MAPS 32   /* each 28 × 28 */
#define CVL_NET_CONV2_MAPS 64   /* each 14 × 14 */

/* image: [28, 28] in [0, 1]. conv1: [32, 28, 28]; conv2: [64, 14, 14]
 * (conv2 reads the 2×2 max-pool of conv1, as the network does). */
void cvl_net_feature_maps (const CvlNet *net,
                           const float  *image,
                           float        *conv1,
                           float        *conv2);

G_END_DECLS
