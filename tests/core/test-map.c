/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Display map tests: each CvlMap on a handful of known values, gray and
 * RGB, with and without alpha, plus the string names. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-map.h"

static CvlImage *
image_from (int          width,
            int          channels,
            const float *values)
{
  CvlImage *image = cvl_image_new (width, 1, channels, NULL);

  memcpy (image->data, values, sizeof (float) * width * channels);
  return image;
}

/* Maps a one-row image and returns its RGBA bytes. */
static guint8 *
map_row (const CvlImage *values,
         const CvlImage *alpha,
         CvlMap          map)
{
  /* stride with 8 spare bytes that must stay untouched */
  gsize stride = values->width * 4 + 8;
  guint8 *pixels = g_malloc (stride);

  memset (pixels, 0xab, stride);
  cvl_map_to_rgba8 (values, alpha, map, pixels, stride);
  for (gsize i = values->width * 4; i < stride; i++)
    g_assert_cmpuint (pixels[i], ==, 0xab);
  return pixels;
}

static void
assert_gray (const guint8 *pixels,
             const guint8 *expected,
             int           n)
{
  for (int i = 0; i < n; i++)
    {
      g_assert_cmpuint (pixels[4 * i], ==, expected[i]);
      g_assert_cmpuint (pixels[4 * i + 1], ==, expected[i]);
      g_assert_cmpuint (pixels[4 * i + 2], ==, expected[i]);
      g_assert_cmpuint (pixels[4 * i + 3], ==, 255);
    }
}

static const float gray_values[] = { -0.5f, 0, 0.25f, 1, 2 };

static void
test_clamp_abs (void)
{
  static const guint8 clamped[] = { 0, 0, 64, 255, 255 };
  static const guint8 absolute[] = { 128, 0, 64, 255, 255 };
  g_autoptr(CvlImage) values = image_from (5, 1, gray_values);
  g_autofree guint8 *clamp = map_row (values, NULL, CVL_MAP_CLAMP);
  g_autofree guint8 *abs = map_row (values, NULL, CVL_MAP_ABS);

  assert_gray (clamp, clamped, 5);
  assert_gray (abs, absolute, 5);
}

/* Not expected from a convolution of finite pixels, but never undefined. */
static void
test_nan (void)
{
  static const guint8 zero[] = { 0 };
  float nan_value = NAN;
  g_autoptr(CvlImage) values = image_from (1, 1, &nan_value);
  g_autofree guint8 *clamp = map_row (values, NULL, CVL_MAP_CLAMP);
  g_autofree guint8 *abs = map_row (values, NULL, CVL_MAP_ABS);

  assert_gray (clamp, zero, 1);
  assert_gray (abs, zero, 1);
}

static void
test_normalize (void)
{
  /* (v + 0.5) / 2.5 */
  static const guint8 expected[] = { 0, 51, 77, 153, 255 };
  static const guint8 flat_expected[] = { 128, 128 };
  static const float flat_values[] = { 3, 3 };
  g_autoptr(CvlImage) values = image_from (5, 1, gray_values);
  g_autoptr(CvlImage) flat = image_from (2, 1, flat_values);
  g_autofree guint8 *pixels = map_row (values, NULL, CVL_MAP_NORMALIZE);
  g_autofree guint8 *flat_pixels = map_row (flat, NULL, CVL_MAP_NORMALIZE);

  assert_gray (pixels, expected, 5);
  assert_gray (flat_pixels, flat_expected, 2);
}

static void
test_normalize_rgb (void)
{
  /* planes R = (0, 4), G = (2, 2), B = (1, 3): one range over all channels */
  static const float rgb[] = { 0, 4, 2, 2, 1, 3 };
  g_autoptr(CvlImage) values = image_from (2, 3, rgb);
  g_autofree guint8 *pixels = map_row (values, NULL, CVL_MAP_NORMALIZE);
  static const guint8 expected[] = { 0, 128, 64, 255, 255, 128, 191, 255 };

  g_assert_cmpmem (pixels, 8, expected, 8);
}

static void
test_signed_gray (void)
{
  static const float values_in[] = { -2, 0, 1, 2 };
  static const float zeros[] = { 0, 0 };
  g_autoptr(CvlImage) values = image_from (4, 1, values_in);
  g_autoptr(CvlImage) flat = image_from (2, 1, zeros);
  g_autofree guint8 *pixels = map_row (values, NULL, CVL_MAP_SIGNED);
  g_autofree guint8 *flat_pixels = map_row (flat, NULL, CVL_MAP_SIGNED);
  const guint8 *neg = pixels, *zero = pixels + 4, *half = pixels + 8, *pos = pixels + 12;

  /* −max: blue; 0: light neutral gray; +max: red; +max/2 halfway to red */
  g_assert_cmpuint (neg[2], >, neg[0] + 80);
  g_assert_cmpuint (pos[0], >, pos[2] + 80);
  g_assert_cmpuint (zero[0], ==, zero[1]);
  g_assert_cmpuint (zero[1], ==, zero[2]);
  g_assert_cmpuint (zero[0], >, 200);
  g_assert_cmpuint (half[0], <, zero[0]);
  g_assert_cmpuint (half[0], >, pos[0]);
  g_assert_cmpuint (half[2], <, zero[2]);
  g_assert_cmpuint (half[2], >, pos[2]);

  /* all zero: every pixel neutral */
  g_assert_cmpmem (flat_pixels, 4, zero, 4);
  g_assert_cmpmem (flat_pixels + 4, 4, zero, 4);
}

static void
test_signed_rgb (void)
{
  /* max |v| = 4: v → 0.5 + v / 8 */
  static const float rgb[] = { -4, 0, 2, 4, 0, -1 };
  static const guint8 expected[] = { 0, 191, 128, 255, 128, 255, 96, 255 };
  g_autoptr(CvlImage) values = image_from (2, 3, rgb);
  g_autofree guint8 *pixels = map_row (values, NULL, CVL_MAP_SIGNED);

  g_assert_cmpmem (pixels, 8, expected, 8);
}

static void
test_alpha (void)
{
  static const float gray[] = { 0.5f, 0.5f, 0.5f };
  static const float alpha_values[] = { 0, 0.5f, 1 };
  g_autoptr(CvlImage) values = image_from (3, 1, gray);
  g_autoptr(CvlImage) alpha = image_from (3, 1, alpha_values);
  g_autofree guint8 *pixels = map_row (values, alpha, CVL_MAP_CLAMP);

  g_assert_cmpuint (pixels[3], ==, 0);
  g_assert_cmpuint (pixels[7], ==, 128);
  g_assert_cmpuint (pixels[11], ==, 255);
  /* not premultiplied */
  g_assert_cmpuint (pixels[0], ==, 128);
}

/* More rows than one task, so the parallel split is exercised. */
static void
test_large (void)
{
  g_autoptr(CvlImage) values = cvl_image_new (33, 300, 3, NULL);
  gsize n = 33 * 300 * 3, stride = 33 * 4;
  g_autofree guint8 *pixels = g_malloc (stride * 300);

  for (gsize i = 0; i < n; i++)
    values->data[i] = (float) (i % 256) / 255.0f;
  cvl_map_to_rgba8 (values, NULL, CVL_MAP_CLAMP, pixels, stride);
  for (int c = 0; c < 3; c++)
    for (int p = 0; p < 33 * 300; p++)
      g_assert_cmpuint (pixels[4 * p + c], ==, (c * 33 * 300 + p) % 256);
}

static void
test_strings (void)
{
  static const char * const names[] = { "clamp", "abs", "normalize", "signed" };
  CvlMap map;

  for (int i = CVL_MAP_CLAMP; i <= CVL_MAP_SIGNED; i++)
    {
      g_assert_cmpstr (cvl_map_to_string (i), ==, names[i]);
      g_assert_true (cvl_map_from_string (names[i], &map));
      g_assert_cmpint (map, ==, i);
    }

  g_assert_false (cvl_map_from_string ("sepia", &map));
  g_assert_false (cvl_map_from_string ("", &map));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/map/clamp-abs", test_clamp_abs);
  g_test_add_func ("/core/map/nan", test_nan);
  g_test_add_func ("/core/map/normalize", test_normalize);
  g_test_add_func ("/core/map/normalize-rgb", test_normalize_rgb);
  g_test_add_func ("/core/map/signed-gray", test_signed_gray);
  g_test_add_func ("/core/map/signed-rgb", test_signed_rgb);
  g_test_add_func ("/core/map/alpha", test_alpha);
  g_test_add_func ("/core/map/large", test_large);
  g_test_add_func ("/core/map/strings", test_strings);

  return g_test_run ();
}
