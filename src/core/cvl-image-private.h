/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scratch images shared inside the core: one spare buffer kept between calls
 * so that paths needing a temporary full-size image do not fault in fresh
 * pages every time (see bench/README). Thread-safe. */
#pragma once

#include "cvl-image.h"

G_BEGIN_DECLS

/* A width×height×channels image from the spare cache, or a new one. */
CvlImage *cvl_image_take_scratch (int        width,
                                  int        height,
                                  int        channels,
                                  GError   **error);
/* Hands the image back to the cache (or frees it when a bigger one is kept). */
void      cvl_image_give_scratch (CvlImage  *image);

/* Luma of the first three channels of `image` into the 1-channel `luma` of
 * the same size. */
void      cvl_image_luma_into    (const CvlImage *image,
                                  CvlImage       *luma);

/* n_floats floats, 64-byte aligned; from huge_from bytes on, aligned to and
 * advised for 2 MiB pages (one fault per 2 MiB instead of per 4 KiB). The
 * caller checks n_floats · 4 for overflow; `what` names the buffer in the
 * error ("an image"). Free with free(). */
float    *cvl_alloc_floats       (gsize       n_floats,
                                  gsize       huge_from,
                                  const char *what,
                                  GError    **error);

G_END_DECLS
