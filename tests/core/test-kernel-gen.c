/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Generator tests: each kernel's size, sum, symmetry and shape measured from
 * its moments (a Gaussian's σ, a disk's area, a motion line's direction), the
 * spec parser with its messages, and kernels made from pictures. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-kernel-gen.h"

static double
kernel_sum (const CvlKernel *k)
{
  double sum = 0;

  for (int i = 0; i < k->width * k->height; i++)
    sum += k->values[i];
  return sum;
}

/* Moments about the centre tap: Σ k·x², Σ k·y², Σ k·x·y (y points down). */
static void
kernel_moments (const CvlKernel *k,
                double          *xx,
                double          *yy,
                double          *xy)
{
  int cy = (k->height - 1) / 2, cx = (k->width - 1) / 2;

  *xx = *yy = *xy = 0;
  for (int r = 0; r < k->height; r++)
    for (int c = 0; c < k->width; c++)
      {
        double v = cvl_kernel_get (k, r, c), x = c - cx, y = r - cy;

        *xx += v * x * x;
        *yy += v * y * y;
        *xy += v * x * y;
      }
}

/* Mirror images left-right and top-bottom; `transpose` also about the diagonal. */
static void
assert_symmetric (const CvlKernel *k,
                  gboolean         transpose,
                  double           tolerance)
{
  for (int r = 0; r < k->height; r++)
    for (int c = 0; c < k->width; c++)
      {
        float v = cvl_kernel_get (k, r, c);

        g_assert_cmpfloat_with_epsilon (v, cvl_kernel_get (k, r, k->width - 1 - c), tolerance);
        g_assert_cmpfloat_with_epsilon (v, cvl_kernel_get (k, k->height - 1 - r, c), tolerance);
        if (transpose)
          g_assert_cmpfloat_with_epsilon (v, cvl_kernel_get (k, c, r), tolerance);
      }
}

static CvlKernel *
generate (const char *id,
          double      a,
          double      b)
{
  g_autoptr(GError) error = NULL;
  double values[CVL_GEN_MAX_PARAMS] = { a, b };
  CvlKernel *k = cvl_kernel_generate (id, values, &error);

  g_assert_no_error (error);
  g_assert_nonnull (k);
  g_assert_cmpfloat (k->divisor, ==, 1);
  g_assert_cmpfloat (k->offset, ==, 0);
  return k;
}

static void
test_table (void)
{
  static const char * const ids[] = {
    "box", "gaussian", "disk", "motion", "log", "dog", "unsharp",
  };
  const CvlGeneratorInfo *table;
  guint n = 0;

  table = cvl_kernel_generators (&n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (ids));
  g_assert_null (table[n].id);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CvlKernel) k = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpstr (table[i].id, ==, ids[i]);
      g_assert_true (cvl_kernel_generator_info (ids[i]) == &table[i]);
      g_assert_true (table[i].label[0] != '\0' && table[i].description[0] != '\0');
      g_assert_cmpuint (table[i].n_params, >=, 1);
      g_assert_cmpuint (table[i].n_params, <=, CVL_GEN_MAX_PARAMS);
      for (guint p = 0; p < table[i].n_params; p++)
        {
          const CvlGenParamInfo *param = &table[i].params[p];

          g_assert_cmpfloat (param->min, <, param->max);
          g_assert_cmpfloat (param->value, >=, param->min);
          g_assert_cmpfloat (param->value, <=, param->max);
          g_assert_cmpfloat (param->step, >, 0);
        }

      /* NULL values: the defaults */
      k = cvl_kernel_generate (ids[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (k->width, <=, CVL_KERNEL_MAX_SIZE);
    }

  g_assert_null (cvl_kernel_generator_info ("gauss"));
  g_assert_true (cvl_kernel_generator_info ("log")->map == CVL_MAP_SIGNED);
  g_assert_true (cvl_kernel_generator_info ("dog")->map == CVL_MAP_SIGNED);
  g_assert_true (cvl_kernel_generator_info ("unsharp")->map == CVL_MAP_CLAMP);
  g_assert_cmpstr (cvl_kernel_generator_info ("gaussian")->params[0].label, ==, "σ (pixels)");
  g_assert_cmpstr (cvl_kernel_generator_info ("motion")->params[1].label, ==, "Angle (°)");
}

static void
test_box (void)
{
  g_autoptr(CvlKernel) k = generate ("box", 9, 0);
  g_autoptr(CvlKernel) even = generate ("box", 4, 0);
  g_autoptr(CvlKernel) one = generate ("box", 1, 0);
  g_autoptr(CvlKernel) largest = generate ("box", 255, 0);
  g_autoptr(GError) error = NULL;
  double too_small = 0, too_large = 256, fraction = 2.5;

  g_assert_cmpint (k->width, ==, 9);
  g_assert_cmpint (k->height, ==, 9);
  g_assert_cmpfloat_with_epsilon (kernel_sum (k), 1, 1e-5);
  for (int i = 0; i < 81; i++)
    g_assert_cmpfloat_with_epsilon (k->values[i], 1 / 81.0, 1e-8);

  g_assert_cmpint (even->width, ==, 4);
  g_assert_cmpfloat_with_epsilon (kernel_sum (even), 1, 1e-6);
  g_assert_cmpint (one->width, ==, 1);
  g_assert_cmpfloat_with_epsilon (one->values[0], 1, 1e-9);
  g_assert_cmpint (largest->width, ==, 255);
  g_assert_cmpfloat_with_epsilon (kernel_sum (largest), 1, 1e-3);

  g_assert_null (cvl_kernel_generate ("box", &too_small, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "size"));
  g_clear_error (&error);
  g_assert_null (cvl_kernel_generate ("box", &too_large, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cvl_kernel_generate ("box", &fraction, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "whole"));
}

static void
test_gaussian (void)
{
  static const struct { double sigma; int side; } cases[] = {
    { 0.3, 3 }, { 1, 7 }, { 2, 13 }, { 2.5, 17 }, { 5, 31 }, { 8, 49 }, { 42, 253 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CvlKernel) k = generate ("gaussian", cases[i].sigma, 0);
      double sigma = cases[i].sigma, xx, yy, xy;
      int c = k->width / 2;

      g_assert_cmpint (k->width, ==, cases[i].side);
      g_assert_cmpint (k->height, ==, cases[i].side);
      g_assert_cmpfloat_with_epsilon (kernel_sum (k), 1, 1e-4);
      assert_symmetric (k, TRUE, 1e-7);

      /* rank 1: k[r][s]·k[c][c] = k[r][c]·k[c][s] */
      for (int r = 0; r < k->height; r += 3)
        for (int s = 0; s < k->width; s += 3)
          g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, r, s) * cvl_kernel_get (k, c, c),
                                          cvl_kernel_get (k, r, c) * cvl_kernel_get (k, c, s),
                                          1e-9);

      /* The variance is σ², a little less for the cut: a Gaussian cut at
       * ±3σ keeps 0.973·σ², the cells reach half a cell further. */
      if (sigma >= 1)
        {
          kernel_moments (k, &xx, &yy, &xy);
          g_assert_cmpfloat (xx / (sigma * sigma), >, 0.97);
          g_assert_cmpfloat (xx / (sigma * sigma), <, 1.0);
          g_assert_cmpfloat_with_epsilon (yy, xx, 1e-6 * xx);
          g_assert_cmpfloat_with_epsilon (xy, 0, 1e-6);
        }
      g_assert_cmpfloat (cvl_kernel_get (k, c, c), >, cvl_kernel_get (k, c, c + 1));
    }
}

static void
test_disk (void)
{
  static const double radii[] = { 3, 8, 12.5, 31, 127 };
  g_autoptr(CvlKernel) dot = generate ("disk", 0.5, 0);
  g_autoptr(GError) error = NULL;
  double too_large = 128;

  for (gsize i = 0; i < G_N_ELEMENTS (radii); i++)
    {
      g_autoptr(CvlKernel) k = generate ("disk", radii[i], 0);
      double r = radii[i], area;
      int c = k->width / 2;
      float inside = cvl_kernel_get (k, c, c);

      g_assert_cmpint (k->width, ==, 2 * (int) ceil (r + 0.5 - 1e-9) - 1);
      g_assert_cmpint (k->width, ==, k->height);
      g_assert_cmpfloat_with_epsilon (kernel_sum (k), 1, 1e-4);
      assert_symmetric (k, TRUE, 1e-9);

      /* interior cells all weigh 1/area; the weighted area is πr² */
      area = 1 / inside;
      g_assert_cmpfloat_with_epsilon (area / (G_PI * r * r), 1, 0.01);
      g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, c, c + (int) (r / 2)), inside, 1e-9);
      g_assert_cmpfloat (cvl_kernel_get (k, 0, 0), ==, 0);
      /* soft edge: the circle crosses the outermost cell of the middle row,
       * through its middle for a whole radius */
      g_assert_cmpfloat (cvl_kernel_get (k, c, k->width - 1), >, 0);
      g_assert_cmpfloat (cvl_kernel_get (k, c, k->width - 1), <=, inside);
      if (r == floor (r))
        g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, c, k->width - 1) / inside, 0.5, 0.1);
    }

  g_assert_cmpint (dot->width, ==, 1);
  g_assert_cmpfloat_with_epsilon (dot->values[0], 1, 1e-9);

  g_assert_null (cvl_kernel_generate ("disk", &too_large, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
}

/* The direction of largest spread, in degrees counter-clockwise on screen. */
static double
principal_angle (const CvlKernel *k)
{
  double xx, yy, xy;

  kernel_moments (k, &xx, &yy, &xy);
  /* y points down, so screen angles turn the other way */
  return -0.5 * atan2 (2 * xy, xx - yy) * 180 / G_PI;
}

static void
test_motion (void)
{
  g_autoptr(CvlKernel) horizontal = generate ("motion", 15, 0);
  g_autoptr(CvlKernel) vertical = generate ("motion", 15, 90);
  g_autoptr(CvlKernel) even = generate ("motion", 16, 180);
  g_autoptr(CvlKernel) longest = generate ("motion", 255, 0);
  g_autoptr(GError) error = NULL;
  double bad_angle[] = { 15, 361 };

  g_assert_cmpint (horizontal->width, ==, 15);
  g_assert_cmpint (horizontal->height, ==, 1);
  for (int i = 0; i < 15; i++)
    g_assert_cmpfloat_with_epsilon (horizontal->values[i], 1 / 15.0, 1e-7);

  /* 90°: one column, the same weights */
  g_assert_cmpint (vertical->width, ==, 1);
  g_assert_cmpint (vertical->height, ==, 15);
  for (int i = 0; i < 15; i++)
    g_assert_cmpfloat_with_epsilon (vertical->values[i], 1 / 15.0, 1e-7);

  /* an even length is centred on the middle cell, half a cell at each end */
  g_assert_cmpint (even->width, ==, 17);
  g_assert_cmpfloat_with_epsilon (even->values[0], 0.5 / 16, 1e-7);
  g_assert_cmpfloat_with_epsilon (even->values[8], 1 / 16.0, 1e-7);
  g_assert_cmpint (longest->width, ==, 255);

  for (double angle = 0; angle < 180; angle += 15)
    {
      g_autoptr(CvlKernel) k = generate ("motion", 40, angle);
      double xx, yy, xy, along;

      g_assert_cmpfloat_with_epsilon (kernel_sum (k), 1, 1e-5);
      g_assert_cmpint (k->width % 2, ==, 1);
      g_assert_cmpint (k->height % 2, ==, 1);
      /* point symmetric: a line through the centre */
      for (int i = 0; i < k->width * k->height; i++)
        g_assert_cmpfloat_with_epsilon (k->values[i],
                                        k->values[k->width * k->height - 1 - i], 1e-9);
      /* a line has no sense of direction: compare modulo 180° */
      g_assert_cmpfloat_with_epsilon (remainder (principal_angle (k) - angle, 180), 0, 1.0);
      /* a uniform line of length L: Σ k·t² = L²/12 along it */
      kernel_moments (k, &xx, &yy, &xy);
      along = xx + yy - 1 / 12.0;
      g_assert_cmpfloat_with_epsilon (along / (40 * 40 / 12.0), 1, 0.01);
    }

  /* 45° rises to the right: the top-right corner has weight, the top-left none */
  {
    g_autoptr(CvlKernel) k = generate ("motion", 21, 45);

    g_assert_cmpint (k->width, ==, k->height);
    g_assert_cmpfloat (cvl_kernel_get (k, 1, k->width - 2), >, 0);
    g_assert_cmpfloat (cvl_kernel_get (k, 1, 1), ==, 0);
  }

  g_assert_null (cvl_kernel_generate ("motion", bad_angle, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "angle"));
}

static void
test_log (void)
{
  static const double sigmas[] = { 0.5, 1.4, 3, 42 };

  for (gsize i = 0; i < G_N_ELEMENTS (sigmas); i++)
    {
      g_autoptr(CvlKernel) k = generate ("log", sigmas[i], 0);
      int c = k->width / 2;
      double xx, yy, xy, scale = 0;
      float min = G_MAXFLOAT;

      g_assert_cmpint (k->width, ==, MIN (2 * (int) ceil (4 * sigmas[i]) + 1, 255));
      for (int j = 0; j < k->width * k->height; j++)
        {
          min = MIN (min, k->values[j]);
          scale = MAX (scale, fabs (k->values[j]));
        }
      /* zero-sum, relative to the largest weight */
      g_assert_cmpfloat (fabs (kernel_sum (k)), <, 1e-5 * scale * k->width);
      /* dark centre, like the edge preset, and the darkest cell */
      g_assert_cmpfloat (cvl_kernel_get (k, c, c), <, 0);
      g_assert_cmpfloat (cvl_kernel_get (k, c, c), ==, min);
      assert_symmetric (k, TRUE, 1e-6 * scale);
      /* scaled as a Laplacian: it answers x² + y² with 4 */
      kernel_moments (k, &xx, &yy, &xy);
      g_assert_cmpfloat_with_epsilon (xx + yy, 4, 1e-3);
    }
}

static void
test_dog (void)
{
  g_autoptr(CvlKernel) k = generate ("dog", 1, 1.6);
  g_autoptr(CvlKernel) wide = generate ("dog", 2, 5);
  g_autoptr(GError) error = NULL;
  double bad_ratio[] = { 1, 1 };
  int c = k->width / 2;

  /* sized by the wide Gaussian: σ₂ = 1.6 → 2·⌈4.8⌉ + 1 */
  g_assert_cmpint (k->width, ==, 11);
  g_assert_cmpfloat (fabs (kernel_sum (k)), <, 1e-6);
  g_assert_cmpfloat (cvl_kernel_get (k, c, c), >, 0);
  g_assert_cmpfloat (cvl_kernel_get (k, c, c + 3), <, 0);
  assert_symmetric (k, TRUE, 1e-8);

  g_assert_cmpint (wide->width, ==, 61);
  g_assert_cmpfloat (fabs (kernel_sum (wide)), <, 1e-6);

  g_assert_null (cvl_kernel_generate ("dog", bad_ratio, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "ratio"));
}

static void
test_unsharp (void)
{
  g_autoptr(CvlKernel) k = generate ("unsharp", 1.5, 2);
  g_autoptr(CvlKernel) g = generate ("gaussian", 2, 0);
  g_autoptr(CvlKernel) none = generate ("unsharp", 0, 2);
  int c = k->width / 2;

  g_assert_cmpint (k->width, ==, 13);
  g_assert_cmpfloat_with_epsilon (kernel_sum (k), 1, 1e-5);
  g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, c, c),
                                  2.5 - 1.5 * cvl_kernel_get (g, c, c), 1e-6);
  for (int i = 0; i < k->width * k->height; i++)
    if (i != c * k->width + c)
      g_assert_cmpfloat_with_epsilon (k->values[i], -1.5 * g->values[i], 1e-7);

  /* amount 0 leaves the image as it is */
  for (int i = 0; i < none->width * none->height; i++)
    g_assert_cmpfloat_with_epsilon (none->values[i], i == c * none->width + c, 1e-9);
}

static void
assert_same_kernel (const char *spec,
                    const char *id,
                    double      a,
                    double      b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlKernel) parsed = cvl_kernel_parse_generator (spec, &error);
  g_autoptr(CvlKernel) expected = generate (id, a, b);

  g_assert_no_error (error);
  g_assert_true (cvl_kernel_equal (parsed, expected));
}

static void
test_parse_good (void)
{
  assert_same_kernel ("gaussian:sigma=8", "gaussian", 8, 0);
  assert_same_kernel ("disk:r=31", "disk", 31, 0);
  assert_same_kernel ("motion:len=40,angle=30", "motion", 40, 30);
  assert_same_kernel (" motion : angle = 30 , len=4e1 ", "motion", 40, 30);
  assert_same_kernel ("motion:angle=30", "motion", 15, 30);
  assert_same_kernel ("box", "box", 9, 0);
  assert_same_kernel ("box:", "box", 9, 0);
  assert_same_kernel ("box:size=3", "box", 3, 0);
  assert_same_kernel ("log", "log", 1.4, 0);
  assert_same_kernel ("dog:ratio=2", "dog", 1, 2);
  assert_same_kernel ("unsharp:sigma=1.5,amount=.5", "unsharp", 0.5, 1.5);
}

static void
test_parse_bad (void)
{
  static const struct
  {
    const char *spec;
    const char *needles[3];
  } cases[] = {
    { "gauss:sigma=2", { "“gauss”", "gaussian", NULL } },
    { "", { "generator", NULL } },
    { "gaussian:radius=3", { "“radius”", "sigma", NULL } },
    { "motion:size=3", { "“size”", "len and angle", NULL } },
    { "gaussian:sigma=1,sigma=2", { "sigma is given twice", NULL } },
    { "gaussian:sigma=abc", { "“abc”", "not a number", NULL } },
    { "gaussian:sigma=", { "not a number", NULL } },
    { "gaussian:sigma=nan", { "“nan”", NULL } },
    { "gaussian:sigma=inf", { "“inf”", NULL } },
    { "gaussian:sigma=0x10", { "“0x10”", NULL } },
    { "gaussian:sigma=2x", { "“2x”", NULL } },
    { "gaussian:sigma", { "key=value", NULL } },
    { "gaussian:sigma=2,", { "empty", NULL } },
    { "gaussian:sigma=100", { "sigma must be between 0.3 and 42", NULL } },
    { "gaussian:sigma=0.2", { "sigma must be between 0.3 and 42", NULL } },
    { "disk:r=0", { "r must be between 0.5 and 127", NULL } },
    { "motion:len=300", { "len must be between 1 and 255", NULL } },
    { "box:size=2.5", { "whole number", NULL } },
    { "unsharp:amount=-1", { "amount must be between 0 and 10", NULL } },
    { "dog:ratio=11", { "ratio must be between 1.1 and 10", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CvlKernel) k = cvl_kernel_parse_generator (cases[i].spec, &error);

      g_test_message ("spec “%s”", cases[i].spec);
      g_assert_null (k);
      g_assert_nonnull (error);
      g_assert_true (error->domain == CVL_ERROR);
      g_assert_null (strchr (error->message, '\n'));
      for (int j = 0; cases[i].needles[j] != NULL; j++)
        if (strstr (error->message, cases[i].needles[j]) == NULL)
          g_error ("“%s” not in “%s”", cases[i].needles[j], error->message);
    }
}

static CvlImage *
image_with (int          width,
            int          height,
            int          channels,
            const float *data)
{
  CvlImage *image = cvl_image_new (width, height, channels, NULL);

  memcpy (image->data, data, sizeof (float) * width * height * channels);
  return image;
}

static void
test_from_image (void)
{
  /* 3 × 2, planar: r, g, b planes */
  static const float rgb[18] = {
    1, 0, 0,  0, 0.5f, 0,
    0, 1, 0,  0, 0.5f, 0,
    0, 0, 1,  0, 0.5f, 0,
  };
  static const float rgba[8] = { 1, 1, 1, 1, /* alpha */ 1, 0.5f, 0, 0.25f };
  static const float gray[4] = { 0, 1, 3, 0 };
  static const float black[3] = { 0, 0, 0 };
  static const float transparent[6] = { 1, 1, 1, 0, 0, 0 };
  g_autoptr(CvlImage) rgb_image = image_with (3, 2, 3, rgb);
  g_autoptr(CvlImage) rgba_image = image_with (1, 1, 4, rgba);
  g_autoptr(CvlImage) rgba_row = NULL;
  g_autoptr(CvlImage) gray_image = image_with (2, 2, 1, gray);
  g_autoptr(CvlImage) black_image = image_with (3, 1, 1, black);
  g_autoptr(CvlImage) transparent_image = image_with (3, 1, 2, transparent);
  g_autoptr(CvlImage) too_wide = cvl_image_new (CVL_KERNEL_MAX_SIZE + 1, 1, 1, NULL);
  g_autoptr(CvlImage) largest = cvl_image_new (CVL_KERNEL_MAX_SIZE, 3, 1, NULL);
  g_autoptr(CvlKernel) k = NULL;
  g_autoptr(GError) error = NULL;

  k = cvl_kernel_new_from_image (rgb_image, &error);
  g_assert_no_error (error);
  g_assert_cmpint (k->width, ==, 3);
  g_assert_cmpint (k->height, ==, 2);
  g_assert_cmpfloat_with_epsilon (kernel_sum (k), 1, 1e-6);
  /* pure red, green and blue along the top row, gray 0.5 below */
  {
    double total = 1.5 * (0.2989 + 0.5870 + 0.1140);

    g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, 0, 0), 0.2989 / total, 1e-6);
    g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, 0, 1), 0.5870 / total, 1e-6);
    g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, 0, 2), 0.1140 / total, 1e-6);
    g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, 1, 0), 0, 1e-9);
    g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, 1, 1), 0.5 * 0.9999 / total, 1e-6);
  }
  g_clear_pointer (&k, cvl_kernel_free);

  /* alpha weighs the luma: white at alpha 1, 0.5, 0, 0.25 */
  rgba_row = cvl_image_new (4, 1, 4, NULL);
  for (int i = 0; i < 12; i++)
    rgba_row->data[i] = 1;
  memcpy (rgba_row->data + 12, rgba + 4, sizeof (float) * 4);
  k = cvl_kernel_new_from_image (rgba_row, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (k->values[0], 1 / 1.75, 1e-6);
  g_assert_cmpfloat_with_epsilon (k->values[1], 0.5 / 1.75, 1e-6);
  g_assert_cmpfloat_with_epsilon (k->values[2], 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (k->values[3], 0.25 / 1.75, 1e-6);
  g_clear_pointer (&k, cvl_kernel_free);

  k = cvl_kernel_new_from_image (rgba_image, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (k->values[0], 1, 1e-6);
  g_clear_pointer (&k, cvl_kernel_free);

  k = cvl_kernel_new_from_image (gray_image, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, 0, 1), 0.25, 1e-7);
  g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, 1, 0), 0.75, 1e-7);
  g_clear_pointer (&k, cvl_kernel_free);

  for (int i = 0; i < largest->width * largest->height; i++)
    largest->data[i] = 1;
  k = cvl_kernel_new_from_image (largest, &error);
  g_assert_no_error (error);
  g_assert_cmpint (k->width, ==, CVL_KERNEL_MAX_SIZE);
  g_clear_pointer (&k, cvl_kernel_free);

  g_assert_null (cvl_kernel_new_from_image (too_wide, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "256×1"));
  g_clear_error (&error);

  g_assert_null (cvl_kernel_new_from_image (black_image, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "black"));
  g_clear_error (&error);

  g_assert_null (cvl_kernel_new_from_image (transparent_image, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/kernel-gen/table", test_table);
  g_test_add_func ("/core/kernel-gen/box", test_box);
  g_test_add_func ("/core/kernel-gen/gaussian", test_gaussian);
  g_test_add_func ("/core/kernel-gen/disk", test_disk);
  g_test_add_func ("/core/kernel-gen/motion", test_motion);
  g_test_add_func ("/core/kernel-gen/log", test_log);
  g_test_add_func ("/core/kernel-gen/dog", test_dog);
  g_test_add_func ("/core/kernel-gen/unsharp", test_unsharp);
  g_test_add_func ("/core/kernel-gen/parse-good", test_parse_good);
  g_test_add_func ("/core/kernel-gen/parse-bad", test_parse_bad);
  g_test_add_func ("/core/kernel-gen/from-image", test_from_image);

  return g_test_run ();
}
