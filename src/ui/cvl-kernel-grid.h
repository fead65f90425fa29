/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The editable cell grid of a kernel (up to 9×9): numbers or fractions per
 * cell, Tab and arrow keys between cells, a bad cell marked in place. */
#pragma once

#include <gtk/gtk.h>

#include "cvl-kernel.h"

G_BEGIN_DECLS

#define CVL_TYPE_KERNEL_GRID (cvl_kernel_grid_get_type ())
G_DECLARE_FINAL_TYPE (CvlKernelGrid, cvl_kernel_grid, CVL, KERNEL_GRID, GtkWidget)

GtkWidget *cvl_kernel_grid_new          (void);
/* Shows the kernel's weights (divisor and offset are the page's business).
 * Emits nothing. */
void       cvl_kernel_grid_set_kernel   (CvlKernelGrid   *self,
                                         const CvlKernel *kernel);
/* The weights as the cells read now, or NULL (with the first bad cell's
 * message) when a cell is not a valid number. */
CvlKernel *cvl_kernel_grid_read         (CvlKernelGrid   *self,
                                         GError         **error);
gboolean   cvl_kernel_grid_is_valid     (CvlKernelGrid   *self);
/* The entry at (row, col), for tests and focus handling. */
GtkWidget *cvl_kernel_grid_get_cell     (CvlKernelGrid   *self,
                                         int              row,
                                         int              col);
void       cvl_kernel_grid_get_size     (CvlKernelGrid   *self,
                                         int             *rows,
                                         int             *cols);

G_END_DECLS
