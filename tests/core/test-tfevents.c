/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TensorBoard event files: CRC-32C against published vectors, TFRecord's
 * mask against the header every TensorFlow event file starts with, the PNG
 * encoder inflated back, and a written file read back record by record. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

#include "cvl-png.h"
#include "cvl-tfevents.h"

static void
test_crc32c_vectors (void)
{
  guint8 zeros[32] = { 0 }, ones[32], up[32], down[32];

  /* RFC 3720 (iSCSI), appendix B.4, and the usual check value. */
  memset (ones, 0xff, sizeof ones);
  for (int i = 0; i < 32; i++)
    {
      up[i] = i;
      down[i] = 31 - i;
    }
  g_assert_cmphex (cvl_crc32c ((const guint8 *) "123456789", 9), ==, 0xe3069283);
  g_assert_cmphex (cvl_crc32c (zeros, 32), ==, 0x8a9136aa);
  g_assert_cmphex (cvl_crc32c (ones, 32), ==, 0x62a8ab43);
  g_assert_cmphex (cvl_crc32c (up, 32), ==, 0x46dd794e);
  g_assert_cmphex (cvl_crc32c (down, 32), ==, 0x113fdb5c);
  g_assert_cmphex (cvl_crc32c (NULL, 0), ==, 0);
}

static void
test_mask (void)
{
  /* A TensorFlow event file's first record is 24 bytes long: its header is
   * 18 00 00 00 00 00 00 00 a3 7f 4b 22 in every such file. */
  guint8 length[8] = { 24, 0, 0, 0, 0, 0, 0, 0 };

  g_assert_cmphex (cvl_crc32c_mask (cvl_crc32c (length, 8)), ==, 0x224b7fa3);
  g_assert_cmphex (cvl_crc32c_mask (0), ==, 0xa282ead8);
  /* Rotation right by 15, then the constant (mod 2^32). */
  g_assert_cmphex (cvl_crc32c_mask (0x00008000), ==, 0x00000001 + 0xa282ead8);
  g_assert_cmphex (cvl_crc32c_mask (0x00000001), ==, (guint32) (0x00020000 + 0xa282ead8u));
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void
test_png (void)
{
  const guint8 pixels[2 * 3] = { 0, 128, 255, 10, 20, 30 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = cvl_png_encode (pixels, 3, 2, 1, 3, &error);
  const guint8 *d;
  gsize len, pos = 8;
  guint8 raw[2 * 4];
  uLongf raw_len = sizeof raw;
  gboolean seen_end = FALSE;

  g_assert_no_error (error);
  d = g_bytes_get_data (png, &len);
  g_assert_cmpmem (d, 8, "\x89PNG\r\n\x1a\n", 8);
  /* IHDR: 3 × 2, 8-bit gray. */
  g_assert_cmpmem (d + 12, 4, "IHDR", 4);
  g_assert_cmpuint (be32 (d + 16), ==, 3);
  g_assert_cmpuint (be32 (d + 20), ==, 2);
  g_assert_cmpuint (d[24], ==, 8);
  g_assert_cmpuint (d[25], ==, 0);
  /* Every chunk's CRC-32 covers its type and data; IDAT inflates to the
   * filtered scanlines. */
  while (pos + 12 <= len)
    {
      guint32 n = be32 (d + pos);

      g_assert_cmpuint (pos + 12 + n, <=, len);
      g_assert_cmphex (crc32 (0, d + pos + 4, n + 4), ==, be32 (d + pos + 8 + n));
      if (memcmp (d + pos + 4, "IDAT", 4) == 0)
        {
          g_assert_cmpint (uncompress (raw, &raw_len, d + pos + 8, n), ==, Z_OK);
          g_assert_cmpuint (raw_len, ==, sizeof raw);
          g_assert_cmpmem (raw, 4, "\0\0\x80\xff", 4);
          g_assert_cmpmem (raw + 4, 4, "\0\x0a\x14\x1e", 4);
        }
      seen_end = memcmp (d + pos + 4, "IEND", 4) == 0;
      pos += 12 + n;
    }
  g_assert_true (seen_end);
  g_assert_cmpuint (pos, ==, len);

  g_assert_null (cvl_png_encode (pixels, 3, 2, 2, 6, &error));
  g_assert_nonnull (error);
}

static guint64
le (const guint8 *p, int n)
{
  guint64 v = 0;

  for (int i = n - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

static void
test_write_and_read_back (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("convolve-tfevents-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (dir, "run", NULL);
  g_autofree char *contents = NULL, *base = NULL, *path = NULL;
  g_autoptr (CvlTfEvents) events = NULL;
  const guint8 gray[4] = { 0, 85, 170, 255 };
  gsize len, pos = 0;
  int records = 0;

  g_assert_no_error (error);
  events = cvl_tfevents_new (sub, &error);   /* creates the folder */
  g_assert_no_error (error);
  path = g_strdup (cvl_tfevents_get_path (events));
  base = g_path_get_basename (path);
  g_assert_true (g_str_has_prefix (base, "events.out.tfevents."));
  g_assert_true (g_str_has_suffix (base, g_get_host_name ()));
  g_assert_true (cvl_tfevents_add_scalar (events, "loss", 7, 0.5f, &error));
  g_assert_true (cvl_tfevents_add_image (events, "filters", 7, gray, 2, 2, 1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&events, cvl_tfevents_free);

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  while (pos < len)
    {
      const guint8 *p = (const guint8 *) contents + pos;
      guint64 n;

      g_assert_cmpuint (pos + 12, <=, len);
      n = le (p, 8);
      g_assert_cmphex (le (p + 8, 4), ==, cvl_crc32c_mask (cvl_crc32c (p, 8)));
      g_assert_cmpuint (pos + 16 + n, <=, len);
      g_assert_cmphex (le (p + 12 + n, 4), ==, cvl_crc32c_mask (cvl_crc32c (p + 12, n)));
      if (records == 0)
        /* wall_time (key 0x09, 8 bytes), then file_version (key 0x1a). */
        g_assert_cmpmem (p + 12 + 9, 15, "\x1a\x0d" "brain.Event:2", 15);
      if (records == 1)
        /* ... step 7 (0x10 0x07), summary (0x2a), value, tag "loss", 0.5f. */
        g_assert_cmpmem (p + 12 + 9, 2, "\x10\x07", 2);
      records++;
      pos += 16 + n;
    }
  g_assert_cmpint (records, ==, 3);

  /* A second writer in the same second gets its own file. */
  {
    g_autoptr (CvlTfEvents) a = cvl_tfevents_new (sub, &error);
    g_autoptr (CvlTfEvents) b = cvl_tfevents_new (sub, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (cvl_tfevents_get_path (a), !=, cvl_tfevents_get_path (b));
    g_unlink (cvl_tfevents_get_path (a));
    g_unlink (cvl_tfevents_get_path (b));
  }
  g_unlink (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

static void
test_bad_folder (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CvlTfEvents) events = cvl_tfevents_new ("/proc/version/run", &error);

  g_assert_null (events);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/proc/version/run"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/tfevents/crc32c-vectors", test_crc32c_vectors);
  g_test_add_func ("/core/tfevents/mask", test_mask);
  g_test_add_func ("/core/tfevents/png", test_png);
  g_test_add_func ("/core/tfevents/write-and-read-back", test_write_and_read_back);
  g_test_add_func ("/core/tfevents/bad-folder", test_bad_folder);
  return g_test_run ();
}
