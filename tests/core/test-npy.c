/* SPDX-License-Identifier: GPL-3.0-or-later */
/* .npy writer tests: the bytes written are read back and checked against
 * the format (magic, version, padded header, little-endian float32). */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-npy.h"

static char *
temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cvl-npy-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Checks the preamble and returns the header dict and the data offset. */
static char *
check_header (const guint8 *bytes,
              gsize         len,
              gsize        *data_offset)
{
  gsize header_len;

  g_assert_cmpuint (len, >=, 10);
  g_assert_cmpmem (bytes, 8, "\x93NUMPY\x01\x00", 8);
  header_len = bytes[8] | (bytes[9] << 8);
  *data_offset = 10 + header_len;
  g_assert_cmpuint (*data_offset % 64, ==, 0);
  g_assert_cmpuint (*data_offset, <=, len);
  g_assert_cmpint (bytes[*data_offset - 1], ==, '\n');

  return g_strndup ((const char *) bytes + 10, header_len);
}

static float
read_le_float (const guint8 *p)
{
  guint32 bits = p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
  float v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

static void
test_gray (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "gray.npy", NULL);
  g_autoptr(CvlImage) image = cvl_image_new (3, 2, 1, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autofree char *header = NULL;
  gsize len, offset;

  for (int i = 0; i < 6; i++)
    image->data[i] = i - 2.5f;

  g_assert_true (cvl_npy_save (image, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, (char **) &bytes, &len, &error));

  header = check_header (bytes, len, &offset);
  g_assert_true (g_str_has_prefix (header,
                                   "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
  g_assert_cmpuint (len, ==, offset + 6 * 4);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (read_le_float (bytes + offset + 4 * i), i - 2.5, 1e-9);

  g_remove (path);
  g_rmdir (dir);
}

static void
test_rgb_interleaved (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "rgb.npy", NULL);
  g_autoptr(CvlImage) image = cvl_image_new (2, 2, 3, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autofree char *header = NULL;
  gsize len, offset;

  /* value = 100·c + 10·y + x */
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 2; y++)
      for (int x = 0; x < 2; x++)
        cvl_image_plane (image, c)[y * 2 + x] = 100 * c + 10 * y + x;

  /* an existing file is replaced */
  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_assert_true (cvl_npy_save (image, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, (char **) &bytes, &len, &error));

  header = check_header (bytes, len, &offset);
  g_assert_nonnull (strstr (header, "'shape': (2, 2, 3)"));
  g_assert_cmpuint (len, ==, offset + 12 * 4);
  /* [H, W, C] order */
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 2; x++)
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat_with_epsilon (read_le_float (bytes + offset + 4 * ((y * 2 + x) * 3 + c)),
                                        100 * c + 10 * y + x, 1e-9);

  g_remove (path);
  g_rmdir (dir);
}

static void
test_bad_path (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "missing", "out.npy", NULL);
  g_autoptr(CvlImage) image = cvl_image_new (2, 2, 1, NULL);
  g_autoptr(GError) error = NULL;

  memset (image->data, 0, 4 * sizeof (float));
  g_assert_false (cvl_npy_save (image, path, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_IO);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/npy/gray", test_gray);
  g_test_add_func ("/core/npy/rgb-interleaved", test_rgb_interleaved);
  g_test_add_func ("/core/npy/bad-path", test_bad_path);

  return g_test_run ();
}
