/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A minimal PNG encoder (8-bit gray, RGB or RGBA, one zlib-compressed IDAT)
 * for images the core makes itself, such as TensorBoard image summaries,
 * where no GdkPixbuf is at hand. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* pixels: [height, width, channels] bytes, rows `stride` bytes apart;
 * channels 1 (gray), 3 (RGB) or 4 (RGBA). */
GBytes *cvl_png_encode (const guint8  *pixels,
                        int            width,
                        int            height,
                        int            channels,
                        gsize          stride,
                        GError       **error);

G_END_DECLS
