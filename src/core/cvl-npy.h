/* SPDX-License-Identifier: GPL-3.0-or-later */
/* NumPy .npy (version 1.0, little-endian float32) writer, so results can be
 * checked in Python with numpy.load(). */
#pragma once

#include "cvl-image.h"

G_BEGIN_DECLS

/* Writes [H, W] for one channel, [H, W, C] otherwise (interleaved from our
 * planar layout). Atomic: a temporary file renamed over `path` on success. */
gboolean cvl_npy_save (const CvlImage *image,
                       const char     *path,
                       GError        **error);

G_END_DECLS
