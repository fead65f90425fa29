/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A picture of one handwritten digit made into what MNIST's network expects,
 * the way MNIST itself was made: find the ink, fit its bounding box into
 * 20×20 keeping the aspect ratio, then place it in 28×28 so the centre of
 * mass lands in the middle. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CVL_DIGIT_SIDE 28

typedef struct
{
  gboolean found;        /* FALSE: no ink at all (empty canvas) */
  gboolean inverted;     /* the input was dark ink on a light background */
  int      x0, y0;       /* ink bounding box in the input, inclusive … */
  int      x1, y1;       /* … exclusive */
  int      n_blobs;      /* separate ink blobs found (more than 1: maybe not one digit) */
  float    com_x, com_y; /* centre of mass in the 28×28 output, pixel x covering [x, x+1)
                          * (≈ 14, 14 when centred) */
} CvlDigitInfo;

/* gray: width × height values in [0, 1]. Detects the background (the border's
 * median brightness) and inverts dark-on-light input. center_by_mass = FALSE
 * centres the 20×20 box geometrically instead (to show why MNIST centres by
 * mass). out: 28 × 28 values in [0, 1], ink bright on black like MNIST.
 * Returns FALSE only for bad arguments; an image without ink gives
 * info->found = FALSE and an all-zero output. */
gboolean cvl_digit_preprocess (const float  *gray,
                               int           width,
                               int           height,
                               gboolean      center_by_mass,
                               float        *out,
                               CvlDigitInfo *info,
                               GError      **error);

G_END_DECLS
