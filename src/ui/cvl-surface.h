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

/* Precomputes halved copies of `surface` (a mipmap pyramid, down to about
 * 256 pixels a side) and attaches them to it, so drawing it zoomed far out
 * stays fast and smooth. Call it where the surface is made (a worker
 * thread is fine); it does nothing for small surfaces. */
void             cvl_surface_attach_levels (cairo_surface_t *surface);
/* The attached level best suited for drawing at `zoom` (≤ 1): the smallest
 * one still at least that large. scale_x and scale_y give its size relative to
 * `surface`. Returns `surface` itself (scale 1) when there are no levels. */
cairo_surface_t *cvl_surface_pick_level    (cairo_surface_t *surface,
                                            double           zoom,
                                            double          *scale_x,
                                            double          *scale_y);

/* Splits a 3- or 4-channel image into the colour planes and the alpha plane
 * without copying (the views borrow `image`'s data). */
void             cvl_image_split_alpha   (const CvlImage  *image,
                                          CvlImage        *colour,
                                          CvlImage        *alpha,
                                          gboolean        *has_alpha);

G_END_DECLS
