/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Kernels page: a photo, an editable kernel, tf.nn.conv2d's options and
 * the convolved result, re-rendered off the main thread on every edit. */
#pragma once

#include <adwaita.h>

#include "cvl-conv.h"
#include "cvl-image.h"
#include "cvl-kernel.h"

G_BEGIN_DECLS

#define CVL_TYPE_KERNEL_PAGE (cvl_kernel_page_get_type ())
G_DECLARE_FINAL_TYPE (CvlKernelPage, cvl_kernel_page, CVL, KERNEL_PAGE, GtkWidget)

void             cvl_kernel_page_set_settings (CvlKernelPage *self,
                                               GSettings     *settings);
void             cvl_kernel_page_open         (CvlKernelPage *self);
void             cvl_kernel_page_open_file    (CvlKernelPage *self,
                                               GFile         *file);
void             cvl_kernel_page_save         (CvlKernelPage *self);
void             cvl_kernel_page_save_to_file (CvlKernelPage *self,
                                               GFile         *file);
void             cvl_kernel_page_copy         (CvlKernelPage *self);
void             cvl_kernel_page_paste        (CvlKernelPage *self);
/* Opens a decoded image (e.g. pasted or dropped) as the new input. */
void             cvl_kernel_page_open_bytes   (CvlKernelPage *self,
                                               GBytes        *bytes,
                                               const char    *name);
void             cvl_kernel_page_apply_preset (CvlKernelPage *self,
                                               const char    *id);
/* Uses a copy of `kernel` (e.g. a learned filter) shown with `map`. */
void             cvl_kernel_page_set_kernel   (CvlKernelPage   *self,
                                               const CvlKernel *kernel,
                                               CvlMap           map);
/* Makes the kernel with generator `id` (its current or default parameters)
 * and shows the generator's parameters; changing one regenerates. */
/* Loads a small picture as the kernel (luma, weights summing to 1). */
void             cvl_kernel_page_kernel_from_file (CvlKernelPage *self,
                                                   GFile         *file);
void             cvl_kernel_page_apply_generator (CvlKernelPage *self,
                                                  const char    *id);
/* Sets the conv options and the display map (widgets follow, a render
 * starts). Invalid options are refused with FALSE. */
gboolean         cvl_kernel_page_set_options  (CvlKernelPage        *self,
                                               const CvlConvOptions *options,
                                               CvlMap                map);
void             cvl_kernel_page_get_options  (CvlKernelPage        *self,
                                               CvlConvOptions       *options,
                                               CvlMap               *map);

/* For tests: the input, the kernel being rendered, and the last result. */
const CvlImage  *cvl_kernel_page_get_input    (CvlKernelPage *self);
const char      *cvl_kernel_page_get_input_name (CvlKernelPage *self);
const CvlKernel *cvl_kernel_page_get_kernel   (CvlKernelPage *self);
const CvlImage  *cvl_kernel_page_get_result   (CvlKernelPage *self);
/* Increases each time a render result reaches the screen. */
guint            cvl_kernel_page_get_render_count (CvlKernelPage *self);
/* Increases each time a screen-density preview reaches the screen. */
guint            cvl_kernel_page_get_preview_count (CvlKernelPage *self);
/* TRUE while a load, render or save is in flight. */
gboolean         cvl_kernel_page_is_busy      (CvlKernelPage *self);

G_END_DECLS
