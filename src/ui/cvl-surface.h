/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Float images to Cairo surfaces for display. Safe to call from a worker
 * thread: it touches only the buffers it is given. */
#pragma once

#include <cairo.h>

#include "cvl-image.h"
#include "cvl-kernel.h"

G_BEGIN_DECLS

/* Maps values (+ alpha) with `map` into *buffer (grown as needed, reused
 * otherwise; *capacity in bytes) and wraps it as an ARGB32 surface that
 * borrows *buffer: keep the buffer alive as long as the surface. */
cairo_surface_t *cvl_surface_wrap_mapped (const CvlImage  *values,
                                          const CvlImage  *alpha,
                                          CvlMap           map,
                                          guint8         **buffer,
                                          gsize           *capacity);

/* Splits a 3- or 4-channel image into the colour planes and the alpha plane
 * without copying (the views borrow `image`'s data). */
void             cvl_image_split_alpha   (const CvlImage  *image,
                                          CvlImage        *colour,
                                          CvlImage        *alpha,
                                          gboolean        *has_alpha);

G_END_DECLS
