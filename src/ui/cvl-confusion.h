/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The 10 × 10 confusion matrix after an epoch: rows are the true digit,
 * columns the prediction; counts in the cells, shaded by the row's rate.
 * Clicking a cell activates it (the page then shows those test digits). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CVL_CONFUSION_N_CLASSES 10

#define CVL_TYPE_CONFUSION (cvl_confusion_get_type ())
G_DECLARE_FINAL_TYPE (CvlConfusion, cvl_confusion, CVL, CONFUSION, GtkWidget)

GtkWidget *cvl_confusion_new          (void);
/* counts: [true, predicted] row-major, copied; NULL empties the matrix. */
void       cvl_confusion_set_counts   (CvlConfusion    *self,
                                       const guint32    counts[100]);
gboolean   cvl_confusion_has_counts   (CvlConfusion    *self);
guint32    cvl_confusion_get_count    (CvlConfusion    *self,
                                       int              true_class,
                                       int              predicted);
/* count / the row's total (0 for an empty row). */
double     cvl_confusion_get_rate     (CvlConfusion    *self,
                                       int              true_class,
                                       int              predicted);

/* Layout of a width × height drawing: the cell under (x, y), FALSE off the
 * matrix; and where a cell is drawn. */
gboolean   cvl_confusion_locate       (CvlConfusion    *self,
                                       int              width,
                                       int              height,
                                       double           x,
                                       double           y,
                                       int             *true_class,
                                       int             *predicted);
gboolean   cvl_confusion_get_cell_area (CvlConfusion   *self,
                                        int             width,
                                        int             height,
                                        int             true_class,
                                        int             predicted,
                                        graphene_rect_t *area);

void       cvl_confusion_draw         (CvlConfusion    *self,
                                       cairo_t         *cr,
                                       int              width,
                                       int              height);

/* Signals:
 *   hover (int true_class, int predicted): the cell under the pointer, or −1s.
 *   cell-activated (int true_class, int predicted): a cell was clicked. */

G_END_DECLS
