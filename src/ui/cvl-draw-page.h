/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Draw page: write a digit and watch the lecture's network classify it
 * live, with the exact 28×28 input it was given. */
#pragma once

#include <adwaita.h>

#include "cvl-net-ref.h"

G_BEGIN_DECLS

#define CVL_TYPE_DRAW_PAGE (cvl_draw_page_get_type ())
G_DECLARE_FINAL_TYPE (CvlDrawPage, cvl_draw_page, CVL, DRAW_PAGE, GtkWidget)

/* Loads a safetensors model on a worker; a file of the wrong shape is
 * refused with a toast and the current model stays. */
void     cvl_draw_page_load_model      (CvlDrawPage *self,
                                        GFile       *file);
void     cvl_draw_page_load_bundled    (CvlDrawPage *self);
/* Where the bundled model is ($CONVOLVE_MODEL, the source tree, the
 * installed data folder), or NULL when it is missing. */
const char *cvl_draw_page_bundled_model_path (void);
gboolean cvl_draw_page_has_model       (CvlDrawPage *self);
/* The Train page's newest weights (NULL: none). A switch on the page makes
 * them the model that classifies, following each update. */
void     cvl_draw_page_set_trained_net (CvlDrawPage  *self,
                                        CvlNetRef    *net);
gboolean cvl_draw_page_following_training (CvlDrawPage *self);
/* 8-bit grey pixels (any polarity) to classify, e.g. a test digit. */
void     cvl_draw_page_open_pixels     (CvlDrawPage  *self,
                                        const guint8 *pixels,
                                        int           width,
                                        int           height,
                                        const char   *name);
/* A picture of a digit to classify instead of the canvas. */
void     cvl_draw_page_open_file       (CvlDrawPage *self,
                                        GFile       *file);
void     cvl_draw_page_open_bytes      (CvlDrawPage *self,
                                        GBytes      *bytes,
                                        const char  *name);

/* For tests: the last prediction (-1 when there is none), how many have
 * reached the screen, and whether work is in flight. */
int      cvl_draw_page_get_prediction  (CvlDrawPage *self,
                                        float       *confidence);
guint    cvl_draw_page_get_classify_count (CvlDrawPage *self);
gboolean cvl_draw_page_is_busy         (CvlDrawPage *self);

G_END_DECLS
