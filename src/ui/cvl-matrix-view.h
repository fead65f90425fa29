/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small grid of numbers drawn as coloured cells (nearest-neighbour, square
 * cells): the heat map of a kernel too large to edit cell by cell, and the
 * kernel's frequency response. Reports the cell under the pointer. */
#pragma once

#include <gtk/gtk.h>

#include "cvl-kernel.h"

G_BEGIN_DECLS

#define CVL_TYPE_MATRIX_VIEW (cvl_matrix_view_get_type ())
G_DECLARE_FINAL_TYPE (CvlMatrixView, cvl_matrix_view, CVL, MATRIX_VIEW, GtkWidget)

GtkWidget *cvl_matrix_view_new      (void);
/* Copies rows × cols values (row-major) and colours them with `map`
 * (CVL_MAP_SIGNED: 0 neutral; CVL_MAP_NORMALIZE: min–max; CVL_MAP_CLAMP: 0–1). */
void       cvl_matrix_view_set_data (CvlMatrixView *self,
                                     const float   *values,
                                     int            rows,
                                     int            cols,
                                     CvlMap         map);
/* The value at (row, col); FALSE outside the matrix. */
gboolean   cvl_matrix_view_get_value (CvlMatrixView *self,
                                      int            row,
                                      int            col,
                                      float         *value);
/* Draws into `cr` at width × height; used by snapshot and tests. */
void       cvl_matrix_view_draw     (CvlMatrixView *self,
                                     cairo_t       *cr,
                                     int            width,
                                     int            height);

G_END_DECLS
