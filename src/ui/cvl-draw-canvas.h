/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A square canvas to write a digit on with a mouse, a pen (pressure sets the
 * width) or a finger: smooth strokes, undo and redo, clear. The ink can be
 * read back as a grey image for classification. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CVL_TYPE_DRAW_CANVAS (cvl_draw_canvas_get_type ())
G_DECLARE_FINAL_TYPE (CvlDrawCanvas, cvl_draw_canvas, CVL, DRAW_CANVAS, GtkWidget)

GtkWidget *cvl_draw_canvas_new          (void);
/* Brush width as a fraction of the canvas side (default 0.09: strokes
 * about as thick as MNIST's once the digit is fitted into 20×20). */
void       cvl_draw_canvas_set_brush    (CvlDrawCanvas *self,
                                         double         width);
double     cvl_draw_canvas_get_brush    (CvlDrawCanvas *self);
void       cvl_draw_canvas_clear        (CvlDrawCanvas *self);
gboolean   cvl_draw_canvas_undo         (CvlDrawCanvas *self);
gboolean   cvl_draw_canvas_redo         (CvlDrawCanvas *self);
gboolean   cvl_draw_canvas_is_empty     (CvlDrawCanvas *self);
/* Adds a stroke through points given in canvas units (0–1 on both axes),
 * as a drag would; for tests and for replaying. */
void       cvl_draw_canvas_add_stroke   (CvlDrawCanvas *self,
                                         const double  *xy,
                                         guint          n_points,
                                         double         width);
/* The ink rendered at side × side: values in [0, 1], 1 = ink (white on
 * black, like MNIST). */
float     *cvl_draw_canvas_render       (CvlDrawCanvas *self,
                                         int            side);

G_END_DECLS
