/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A network shared by reference between pages and their workers: the Train
 * page's newest weights, the Draw page's model. Its weights never change
 * once shared; only cvl_net_predict's scratch space does, so one thread at a
 * time may predict with it (the Draw page's worker) while others read. */
#pragma once

#include <glib.h>

#include "cvl-net.h"

G_BEGIN_DECLS

typedef struct _CvlNetRef CvlNetRef;

/* Takes `net`; `name` says what it is ("Bundled model", "epoch 2 of 5…"). */
CvlNetRef  *cvl_net_ref_new      (CvlNet     *net,
                                  const char *name);
CvlNetRef  *cvl_net_ref_acquire  (CvlNetRef  *ref);
void        cvl_net_ref_release  (CvlNetRef  *ref);
CvlNet     *cvl_net_ref_get_net  (CvlNetRef  *ref);
const char *cvl_net_ref_get_name (CvlNetRef  *ref);
/* Names are read and changed on the main thread only. */
void        cvl_net_ref_set_name (CvlNetRef  *ref,
                                  const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlNetRef, cvl_net_ref_release)

G_END_DECLS
