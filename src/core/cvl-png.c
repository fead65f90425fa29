/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PNG as the specification's minimum: signature, IHDR, one IDAT of the
 * zlib-compressed scanlines (filter 0 each), IEND; every chunk with its
 * CRC-32 (zlib's). */
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "cvl-error.h"
#include "cvl-png.h"

static void
put_be32 (GByteArray *out,
          guint32     value)
{
  guint8 b[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, b, 4);
}

static void
put_chunk (GByteArray   *out,
           const char   *type,
           const guint8 *data,
           gsize         len)
{
  uLong crc = crc32 (0, (const Bytef *) type, 4);

  g_assert (len <= G_MAXUINT32);
  put_be32 (out, len);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len > 0)
    {
      g_byte_array_append (out, data, len);
      crc = crc32 (crc, data, len);
    }
  put_be32 (out, crc);
}

GBytes *
cvl_png_encode (const guint8  *pixels,
                int            width,
                int            height,
                int            channels,
                gsize          stride,
                GError       **error)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 color_type[5] = { 0, 0, 0, 2, 6 };   /* by channels */
  g_autoptr (GByteArray) out = NULL;
  g_autofree guint8 *raw = NULL, *packed = NULL;
  guint8 ihdr[13];
  gsize row, raw_len;
  uLongf packed_len;

  g_return_val_if_fail (pixels != NULL, NULL);

  if (width < 1 || height < 1 || width > 1 << 16 || height > 1 << 16
      || (channels != 1 && channels != 3 && channels != 4))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "Cannot encode a %d × %d PNG with %d channels", width, height, channels);
      return NULL;
    }
  row = (gsize) width * channels;
  g_return_val_if_fail (stride >= row, NULL);

  /* Scanlines, each led by filter type 0 (none). 2^16 × 2^16 × 4 fits. */
  raw_len = (row + 1) * height;
  raw = g_malloc (raw_len);
  for (int y = 0; y < height; y++)
    {
      raw[y * (row + 1)] = 0;
      memcpy (raw + y * (row + 1) + 1, pixels + y * stride, row);
    }
  packed_len = compressBound (raw_len);
  packed = g_malloc (packed_len);
  if (compress2 (packed, &packed_len, raw, raw_len, Z_BEST_COMPRESSION) != Z_OK)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE, "zlib could not compress the PNG");
      return NULL;
    }

  for (int i = 0; i < 4; i++)
    {
      ihdr[i] = (guint32) width >> (24 - 8 * i);
      ihdr[4 + i] = (guint32) height >> (24 - 8 * i);
    }
  ihdr[8] = 8;                      /* bit depth */
  ihdr[9] = color_type[channels];
  ihdr[10] = ihdr[11] = ihdr[12] = 0;   /* deflate, adaptive filtering, no interlace */

  out = g_byte_array_sized_new (packed_len + 64);
  g_byte_array_append (out, signature, sizeof signature);
  put_chunk (out, "IHDR", ihdr, sizeof ihdr);
  put_chunk (out, "IDAT", packed, packed_len);
  put_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
