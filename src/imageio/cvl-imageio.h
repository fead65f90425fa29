/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading and writing image files with GdkPixbuf, kept out of src/core so the
 * core stays free of any GUI toolkit; the CLI and the app both link this. */
#pragma once

#include <gio/gio.h>

#include "cvl-image.h"
#include "cvl-kernel.h"

G_BEGIN_DECLS

/* Largest side accepted from a file (checked from the header, before the
 * pixels are decoded) and largest pixel count. */
#define CVL_IMAGEIO_MAX_SIDE   16384
#define CVL_IMAGEIO_MAX_PIXELS (64 * 1024 * 1024)

/* Load any format GdkPixbuf knows. Returns 3 channels for opaque images, 4
 * when the file has alpha. Errors (CVL_ERROR_FORMAT, CVL_ERROR_TOO_LARGE,
 * CVL_ERROR_IO) carry a sentence naming the file and the problem. */
CvlImage *cvl_imageio_load       (const char     *path,
                                  GError        **error);
CvlImage *cvl_imageio_load_bytes (GBytes         *bytes,
                                  const char     *display_name,
                                  GError        **error);

/* Map `values` (+ optional alpha) with `map` and write a PNG atomically: to a
 * temporary file in the same folder, renamed over `path` only on success. */
gboolean  cvl_imageio_save_png   (const CvlImage *values,
                                  const CvlImage *alpha,
                                  CvlMap          map,
                                  const char     *path,
                                  GError        **error);
/* Same, into memory (for the clipboard). */
GBytes   *cvl_imageio_png_bytes  (const CvlImage *values,
                                  const CvlImage *alpha,
                                  CvlMap          map,
                                  GError        **error);

G_END_DECLS
