/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Image tests: allocation limits and alignment, buffer reuse, conversion
 * from 8-bit RGBA with and without alpha, and luma. */
#include "config.h"

#include <string.h>

#include "cvl-error.h"
#include "cvl-image.h"

static void
test_new (void)
{
  g_autoptr(CvlImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = cvl_image_new (7, 5, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 7);
  g_assert_cmpint (image->height, ==, 5);
  g_assert_cmpint (image->channels, ==, 3);
  g_assert_cmpuint (image->capacity, >=, 7 * 5 * 3);
  g_assert_cmpuint (GPOINTER_TO_SIZE (image->data) % 64, ==, 0);
  g_assert_true (cvl_image_plane (image, 2) == image->data + 70);

  g_assert_null (cvl_image_new (0, 5, 3, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cvl_image_new (5, 5, 5, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* one pixel over 2^28, and sizes whose product overflows */
  g_assert_null (cvl_image_new (16385, 16384, 1, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (cvl_image_new (G_MAXINT, G_MAXINT, 4, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE);
}

static void
test_ensure (void)
{
  g_autoptr(CvlImage) image = NULL;
  g_autoptr(GError) error = NULL;
  float *data;

  g_assert_true (cvl_image_ensure (&image, 20, 10, 4, &error));
  g_assert_no_error (error);
  data = image->data;

  /* smaller: same buffer */
  g_assert_true (cvl_image_ensure (&image, 10, 10, 3, &error));
  g_assert_true (image->data == data);
  g_assert_cmpint (image->width, ==, 10);
  g_assert_cmpint (image->channels, ==, 3);
  g_assert_cmpuint (image->capacity, ==, 800);

  /* bigger: grows */
  g_assert_true (cvl_image_ensure (&image, 40, 10, 4, &error));
  g_assert_cmpuint (image->capacity, >=, 1600);
  g_assert_cmpuint (GPOINTER_TO_SIZE (image->data) % 64, ==, 0);

  /* failure leaves the image as it was */
  g_assert_false (cvl_image_ensure (&image, -1, 10, 4, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (image->width, ==, 40);
}

static void
test_copy (void)
{
  g_autoptr(CvlImage) image = cvl_image_new (3, 2, 1, NULL);
  g_autoptr(CvlImage) copy = NULL;

  for (int i = 0; i < 6; i++)
    image->data[i] = i * 0.5f;
  copy = cvl_image_copy (image);
  g_assert_true (copy->data != image->data);
  g_assert_cmpmem (copy->data, 6 * sizeof (float), image->data, 6 * sizeof (float));
}

static void
test_from_rgba8 (void)
{
  /* 2×2 pixels, stride 12 bytes (4 bytes of padding per row) */
  static const guint8 opaque[] = {
    255, 0, 0, 255,    0, 51, 0, 255,     9, 9, 9, 9,
    0, 0, 102, 255,    255, 255, 255, 255, 9, 9, 9, 9,
  };
  guint8 translucent[sizeof opaque];
  g_autoptr(CvlImage) rgb = NULL;
  g_autoptr(CvlImage) rgba = NULL;
  g_autoptr(CvlImage) dropped = NULL;
  g_autoptr(GError) error = NULL;

  rgb = cvl_image_new_from_rgba8 (opaque, 2, 2, 12, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rgb->channels, ==, 3);
  /* planes: R then G then B, each row-major */
  g_assert_cmpfloat_with_epsilon (rgb->data[0], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (cvl_image_plane (rgb, 1)[1], 0.2, 1e-6);
  g_assert_cmpfloat_with_epsilon (cvl_image_plane (rgb, 2)[2], 0.4, 1e-6);
  g_assert_cmpfloat_with_epsilon (cvl_image_plane (rgb, 0)[3], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (cvl_image_plane (rgb, 0)[2], 0.0, 1e-6);

  memcpy (translucent, opaque, sizeof opaque);
  translucent[4 + 3] = 128;
  rgba = cvl_image_new_from_rgba8 (translucent, 2, 2, 12, TRUE, &error);
  g_assert_cmpint (rgba->channels, ==, 4);
  g_assert_cmpfloat_with_epsilon (cvl_image_plane (rgba, 3)[0], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (cvl_image_plane (rgba, 3)[1], 128 / 255.0, 1e-6);

  dropped = cvl_image_new_from_rgba8 (translucent, 2, 2, 12, FALSE, &error);
  g_assert_cmpint (dropped->channels, ==, 3);
}

static void
test_to_luma (void)
{
  g_autoptr(CvlImage) image = cvl_image_new (2, 1, 4, NULL);
  g_autoptr(CvlImage) luma = NULL;
  g_autoptr(CvlImage) gray = cvl_image_new (2, 1, 1, NULL);
  g_autoptr(CvlImage) gray_luma = NULL;
  static const float rgba[] = { 1, 0.5f, 0, 1, 0, 0.25f, 0.3f, 0.3f };

  memcpy (image->data, rgba, sizeof rgba);
  luma = cvl_image_to_luma (image);
  g_assert_cmpint (luma->channels, ==, 1);
  g_assert_cmpfloat_with_epsilon (luma->data[0], 0.2989, 1e-6);
  g_assert_cmpfloat_with_epsilon (luma->data[1], 0.5 * 0.2989 + 0.5870 + 0.25 * 0.1140, 1e-6);

  gray->data[0] = 0.75f;
  gray->data[1] = 0.125f;
  gray_luma = cvl_image_to_luma (gray);
  g_assert_cmpint (gray_luma->channels, ==, 1);
  g_assert_cmpmem (gray_luma->data, 2 * sizeof (float), gray->data, 2 * sizeof (float));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/image/new", test_new);
  g_test_add_func ("/core/image/ensure", test_ensure);
  g_test_add_func ("/core/image/copy", test_copy);
  g_test_add_func ("/core/image/from-rgba8", test_from_rgba8);
  g_test_add_func ("/core/image/to-luma", test_to_luma);

  return g_test_run ();
}
