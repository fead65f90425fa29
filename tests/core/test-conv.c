/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Convolution tests: TensorFlow's geometry, border rules, hand-computed
 * results (the lecture's example among them), and the direct engine checked
 * against the naive reference on random inputs. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-conv.h"
#include "cvl-conv-private.h"
#include "cvl-error.h"

static const CvlEngine engines[] = { CVL_ENGINE_NAIVE, CVL_ENGINE_DIRECT };

static CvlImage *
image_from_array (int          width,
                  int          height,
                  int          channels,
                  const float *values)
{
  CvlImage *image = cvl_image_new (width, height, channels, NULL);

  g_assert_nonnull (image);
  memcpy (image->data, values, sizeof (float) * width * height * channels);
  return image;
}

static CvlKernel *
kernel_from_array (int          width,
                   int          height,
                   const float *values)
{
  CvlKernel *kernel = cvl_kernel_new (width, height, NULL);

  g_assert_nonnull (kernel);
  memcpy (kernel->values, values, sizeof (float) * width * height);
  return kernel;
}

static void
assert_image_values (const CvlImage *image,
                     const float    *expected,
                     double          tolerance)
{
  gsize n = (gsize) image->width * image->height * image->channels;

  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (image->data[i], expected[i], tolerance);
}

static CvlImage *
convolve (CvlEngine             engine,
          const CvlImage       *in,
          const CvlKernel      *kernel,
          const CvlConvOptions *options)
{
  g_autoptr(GError) error = NULL;
  CvlImage *out = NULL;

  g_assert_true (cvl_conv2d (engine, in, kernel, options, &out, NULL, &error));
  g_assert_no_error (error);
  return out;
}

static void
test_options (void)
{
  CvlConvOptions o;
  g_autoptr(GError) error = NULL;

  cvl_conv_options_init (&o);
  g_assert_cmpint (o.stride_h, ==, 1);
  g_assert_cmpint (o.stride_w, ==, 1);
  g_assert_cmpint (o.dilation_h, ==, 1);
  g_assert_cmpint (o.dilation_w, ==, 1);
  g_assert_cmpint (o.padding, ==, CVL_PADDING_SAME);
  g_assert_cmpint (o.border, ==, CVL_BORDER_ZERO);
  g_assert_false (o.flip);
  g_assert_cmpint (o.channels, ==, CVL_CHANNELS_RGB);
  g_assert_true (cvl_conv_options_validate (&o, &error));
  g_assert_no_error (error);

  o.stride_w = CVL_CONV_MAX_STRIDE + 1;
  g_assert_false (cvl_conv_options_validate (&o, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  cvl_conv_options_init (&o);
  o.dilation_h = 0;
  g_assert_false (cvl_conv_options_validate (&o, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  cvl_conv_options_init (&o);
  o.border = 17;
  g_assert_false (cvl_conv_options_validate (&o, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
}

/* One axis, worked out by hand from TensorFlow's rules. */
static const struct
{
  int        in, k, stride, dilation;
  CvlPadding padding;
  int        out, pad_before, pad_after, k_eff;
} geometry_cases[] = {
  {   5,  3, 1, 1, CVL_PADDING_SAME,    5, 1, 1,  3 },
  {   5,  3, 1, 1, CVL_PADDING_VALID,   3, 0, 0,  3 },
  { 451,  3, 2, 1, CVL_PADDING_SAME,  226, 1, 1,  3 },
  { 300,  3, 2, 1, CVL_PADDING_SAME,  150, 0, 1,  3 }, /* odd pad total: extra after */
  {   7,  4, 1, 1, CVL_PADDING_SAME,    7, 1, 2,  4 }, /* even kernel */
  {   7,  3, 3, 1, CVL_PADDING_SAME,    3, 1, 1,  3 },
  {   8,  3, 3, 1, CVL_PADDING_SAME,    3, 0, 1,  3 },
  {  10,  1, 2, 1, CVL_PADDING_SAME,    5, 0, 0,  1 }, /* negative total clamps to 0 */
  {   9,  3, 1, 2, CVL_PADDING_SAME,    9, 2, 2,  5 },
  {   9,  3, 1, 2, CVL_PADDING_VALID,   5, 0, 0,  5 },
  {   9, 11, 1, 1, CVL_PADDING_VALID,   0, 0, 0, 11 }, /* empty */
  {   9,  5, 1, 3, CVL_PADDING_VALID,   0, 0, 0, 13 }, /* empty once dilated */
  {  10,  3, 2, 1, CVL_PADDING_VALID,   4, 0, 0,  3 },
  {   1,  3, 1, 1, CVL_PADDING_SAME,    1, 1, 1,  3 },
  {   6,  5, 4, 1, CVL_PADDING_SAME,    2, 1, 2,  5 },
  { 451,  3, 2, 1, CVL_PADDING_VALID, 225, 0, 0,  3 },
  {   5,  5, 2, 2, CVL_PADDING_SAME,    3, 4, 4,  9 },
  {  28,  5, 1, 1, CVL_PADDING_SAME,   28, 2, 2,  5 }, /* the lecture's conv1 */
  {   4,  2, 2, 1, CVL_PADDING_SAME,    2, 0, 0,  2 },
  {   5,  2, 2, 1, CVL_PADDING_SAME,    3, 0, 1,  2 },
};

static void
test_geometry (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (geometry_cases); i++)
    {
      CvlConvOptions o;
      CvlConvGeometry g;

      /* the case along x; a fixed, different case along y to catch mix-ups */
      cvl_conv_options_init (&o);
      o.stride_w = geometry_cases[i].stride;
      o.dilation_w = geometry_cases[i].dilation;
      o.padding = geometry_cases[i].padding;
      cvl_conv_geometry (40, geometry_cases[i].in, 1, geometry_cases[i].k, &o, &g);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (g.out_w, ==, geometry_cases[i].out);
      g_assert_cmpint (g.pad_left, ==, geometry_cases[i].pad_before);
      g_assert_cmpint (g.pad_right, ==, geometry_cases[i].pad_after);
      g_assert_cmpint (g.k_eff_w, ==, geometry_cases[i].k_eff);
      g_assert_cmpint (g.out_h, ==, 40);
      g_assert_cmpint (g.pad_top, ==, 0);
      g_assert_cmpint (g.pad_bottom, ==, 0);

      /* the same case along y */
      cvl_conv_options_init (&o);
      o.stride_h = geometry_cases[i].stride;
      o.dilation_h = geometry_cases[i].dilation;
      o.padding = geometry_cases[i].padding;
      cvl_conv_geometry (geometry_cases[i].in, 40, geometry_cases[i].k, 1, &o, &g);
      g_assert_cmpint (g.out_h, ==, geometry_cases[i].out);
      g_assert_cmpint (g.pad_top, ==, geometry_cases[i].pad_before);
      g_assert_cmpint (g.pad_bottom, ==, geometry_cases[i].pad_after);
      g_assert_cmpint (g.k_eff_h, ==, geometry_cases[i].k_eff);
      g_assert_cmpint (g.out_w, ==, 40);
    }
}

static void
test_describe_size (void)
{
  CvlConvOptions o;
  g_autofree char *lecture = NULL;
  g_autofree char *floored = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *taller = NULL;

  cvl_conv_options_init (&o);
  o.stride_h = o.stride_w = 2;
  lecture = cvl_conv_describe_size (300, 451, 3, 3, &o);
  g_assert_cmpstr (lecture, ==,
                   "226 × 150 = (451 − 3 + 2·1) / 2 + 1\n"
                   "Height: 150 = (300 − 3 + 1) / 2 + 1");

  o.padding = CVL_PADDING_VALID;
  floored = cvl_conv_describe_size (9, 10, 3, 3, &o);
  g_assert_cmpstr (floored, ==,
                   "4 × 4 = ⌊(10 − 3) / 2⌋ + 1\n"
                   "Height: 4 = (9 − 3) / 2 + 1");

  cvl_conv_options_init (&o);
  o.padding = CVL_PADDING_VALID;
  empty = cvl_conv_describe_size (20, 9, 11, 11, &o);
  g_assert_cmpstr (empty, ==,
                   "Empty: the 11-pixel kernel is wider than the 9-pixel image "
                   "(VALID padding adds no border)");

  o.dilation_h = 3;
  taller = cvl_conv_describe_size (9, 20, 5, 1, &o);
  g_assert_cmpstr (taller, ==,
                   "Empty: the 13-pixel kernel is taller than the 9-pixel image "
                   "(VALID padding adds no border)");
}

static void
test_border_index (void)
{
  static const struct
  {
    CvlBorder border;
    int       n, i, expected;
  } cases[] = {
    { CVL_BORDER_ZERO, 4, 2, 2 },
    { CVL_BORDER_ZERO, 4, -1, -1 },
    { CVL_BORDER_ZERO, 4, 4, -1 },
    { CVL_BORDER_CLAMP, 4, -5, 0 },
    { CVL_BORDER_CLAMP, 4, 9, 3 },
    { CVL_BORDER_CLAMP, 1, -3, 0 },
    { CVL_BORDER_REFLECT, 4, -1, 1 },  /* c b | a b c d | c b */
    { CVL_BORDER_REFLECT, 4, -2, 2 },
    { CVL_BORDER_REFLECT, 4, -3, 3 },  /* further out: reflect again */
    { CVL_BORDER_REFLECT, 4, -4, 2 },
    { CVL_BORDER_REFLECT, 4, -6, 0 },
    { CVL_BORDER_REFLECT, 4, 4, 2 },
    { CVL_BORDER_REFLECT, 4, 5, 1 },
    { CVL_BORDER_REFLECT, 4, 6, 0 },
    { CVL_BORDER_REFLECT, 4, 7, 1 },
    { CVL_BORDER_REFLECT, 4, 100, 2 },
    { CVL_BORDER_REFLECT, 4, -100, 2 },
    { CVL_BORDER_REFLECT, 3, -5, 1 },
    { CVL_BORDER_REFLECT, 2, -1, 1 },
    { CVL_BORDER_REFLECT, 2, 2, 0 },
    { CVL_BORDER_REFLECT, 1, -7, 0 },
    { CVL_BORDER_REFLECT, 1, 12, 0 },
    { CVL_BORDER_WRAP, 4, -1, 3 },     /* c d | a b c d | a b */
    { CVL_BORDER_WRAP, 4, -2, 2 },
    { CVL_BORDER_WRAP, 4, 4, 0 },
    { CVL_BORDER_WRAP, 4, 9, 1 },
    { CVL_BORDER_WRAP, 4, -5, 3 },
    { CVL_BORDER_WRAP, 4, -1000003, 1 },
    { CVL_BORDER_WRAP, 1, -9, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("border %d, n %d, i %d", cases[i].border, cases[i].n, cases[i].i);
      g_assert_cmpint (cvl_conv_border_index (cases[i].i, cases[i].n, cases[i].border),
                       ==, cases[i].expected);
    }
}

/* The lecture's worked example: 5×5 binary image, 3×3 "X" kernel, VALID. */
static void
test_lecture_example (void)
{
  static const float image[] = {
    1, 1, 1, 0, 0,
    0, 1, 1, 1, 0,
    0, 0, 1, 1, 1,
    0, 0, 1, 1, 0,
    0, 1, 1, 0, 0,
  };
  static const float kernel[] = { 1, 0, 1, 0, 1, 0, 1, 0, 1 };
  static const float expected[] = { 4, 3, 4, 2, 4, 3, 2, 3, 4 };
  g_autoptr(CvlImage) in = image_from_array (5, 5, 1, image);
  g_autoptr(CvlKernel) k = kernel_from_array (3, 3, kernel);
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  o.padding = CVL_PADDING_VALID;

  for (gsize e = 0; e < G_N_ELEMENTS (engines); e++)
    {
      g_autoptr(CvlImage) out = convolve (engines[e], in, k, &o);

      g_assert_cmpint (out->width, ==, 3);
      g_assert_cmpint (out->height, ==, 3);
      g_assert_cmpint (out->channels, ==, 1);
      g_assert_cmpfloat_with_epsilon (out->data[0], 4, 1e-6);
      assert_image_values (out, expected, 1e-6);
    }
}

/* A 1×4 row a b c d = 1 2 3 4 and a 1×5 kernel with a single 1 tap: SAME
 * pads 2 on each side, so the output reads the padded row shifted. */
static void
test_border_modes (void)
{
  static const float row[] = { 1, 2, 3, 4 };
  static const struct
  {
    CvlBorder border;
    float     first_tap[4];  /* out[x] = in[x − 2] */
    float     last_tap[4];   /* out[x] = in[x + 2] */
  } cases[] = {
    { CVL_BORDER_ZERO,    { 0, 0, 1, 2 }, { 3, 4, 0, 0 } },
    { CVL_BORDER_CLAMP,   { 1, 1, 1, 2 }, { 3, 4, 4, 4 } },
    { CVL_BORDER_REFLECT, { 3, 2, 1, 2 }, { 3, 4, 3, 2 } },
    { CVL_BORDER_WRAP,    { 3, 4, 1, 2 }, { 3, 4, 1, 2 } },
  };
  g_autoptr(CvlImage) in = image_from_array (4, 1, 1, row);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize e = 0; e < G_N_ELEMENTS (engines); e++)
      for (int tap = 0; tap < 2; tap++)
        {
          g_autoptr(CvlKernel) k = cvl_kernel_new (5, 1, NULL);
          g_autoptr(CvlImage) out = NULL;
          CvlConvOptions o;

          cvl_conv_options_init (&o);
          o.border = cases[i].border;
          k->values[tap == 0 ? 0 : 4] = 1;
          out = convolve (engines[e], in, k, &o);
          g_assert_cmpint (out->width, ==, 4);
          assert_image_values (out, tap == 0 ? cases[i].first_tap : cases[i].last_tap, 1e-6);
        }

  /* The same along y, through a 4×1 column and a 1×5 kernel turned upright. */
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CvlImage) column = image_from_array (1, 4, 1, row);
      g_autoptr(CvlKernel) k = cvl_kernel_new (1, 5, NULL);
      g_autoptr(CvlImage) out = NULL;
      CvlConvOptions o;

      cvl_conv_options_init (&o);
      o.border = cases[i].border;
      k->values[0] = 1;
      out = convolve (CVL_ENGINE_DIRECT, column, k, &o);
      assert_image_values (out, cases[i].first_tap, 1e-6);
    }
}

/* Cross-correlating an impulse draws the kernel rotated 180°; flipping the
 * kernel (true convolution) draws it upright. */
static void
test_flip (void)
{
  static const float impulse[] = { 0, 0, 0, 0, 1, 0, 0, 0, 0 };
  static const float kernel[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  static const float rotated[] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
  g_autoptr(CvlImage) in = image_from_array (3, 3, 1, impulse);
  g_autoptr(CvlKernel) k = kernel_from_array (3, 3, kernel);

  for (gsize e = 0; e < G_N_ELEMENTS (engines); e++)
    {
      g_autoptr(CvlImage) correlated = NULL;
      g_autoptr(CvlImage) convolved = NULL;
      CvlConvOptions o;

      cvl_conv_options_init (&o);
      correlated = convolve (engines[e], in, k, &o);
      assert_image_values (correlated, rotated, 1e-6);

      o.flip = TRUE;
      convolved = convolve (engines[e], in, k, &o);
      assert_image_values (convolved, kernel, 1e-6);
    }
}

static void
test_divisor_offset (void)
{
  static const float ones[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
  g_autoptr(CvlImage) in = image_from_array (3, 3, 1, ones);
  g_autoptr(CvlKernel) k = cvl_kernel_new (3, 3, NULL);
  CvlConvOptions o;

  for (int i = 0; i < 9; i++)
    k->values[i] = 2;
  k->divisor = 36;
  k->offset = 0.25f;
  cvl_conv_options_init (&o);
  o.padding = CVL_PADDING_VALID;

  for (gsize e = 0; e < G_N_ELEMENTS (engines); e++)
    {
      g_autoptr(CvlImage) out = convolve (engines[e], in, k, &o);

      /* 18 / 36 + 0.25 */
      g_assert_cmpfloat_with_epsilon (out->data[0], 0.75, 1e-6);
    }
}

static CvlImage *
random_image (GRand *rand,
              int    width,
              int    height,
              int    channels)
{
  CvlImage *image = cvl_image_new (width, height, channels, NULL);
  gsize n = (gsize) width * height * channels;

  for (gsize i = 0; i < n; i++)
    image->data[i] = (float) g_rand_double (rand);
  return image;
}

static CvlKernel *
random_kernel (GRand *rand,
               int    width,
               int    height)
{
  CvlKernel *k = cvl_kernel_new (width, height, NULL);

  for (int i = 0; i < width * height; i++)
    k->values[i] = (float) g_rand_double_range (rand, -1, 1);
  /* a few exact zeros: the direct engine skips them */
  k->values[g_rand_int_range (rand, 0, width * height)] = 0;
  k->divisor = (float) g_rand_double_range (rand, 0.5, 4);
  k->offset = (float) g_rand_double_range (rand, -0.5, 0.5);
  return k;
}

static double
max_abs (const CvlImage *image)
{
  gsize n = (gsize) image->width * image->height * image->channels;
  double m = 0;

  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs (image->data[i]));
  return m;
}

static void
assert_direct_matches_naive (const CvlImage       *in,
                             const CvlKernel      *k,
                             const CvlConvOptions *o)
{
  g_autoptr(CvlImage) naive = NULL;
  g_autoptr(CvlImage) direct = NULL;
  g_autoptr(GError) naive_error = NULL;
  g_autoptr(GError) direct_error = NULL;
  CvlConvGeometry g;
  gboolean naive_ok, direct_ok;
  double worst = 0, tolerance;

  cvl_conv_geometry (in->height, in->width, k->height, k->width, o, &g);
  naive_ok = cvl_conv2d (CVL_ENGINE_NAIVE, in, k, o, &naive, NULL, &naive_error);
  direct_ok = cvl_conv2d (CVL_ENGINE_DIRECT, in, k, o, &direct, NULL, &direct_error);

  if (g.out_w == 0 || g.out_h == 0)
    {
      g_assert_false (naive_ok);
      g_assert_false (direct_ok);
      g_assert_error (naive_error, CVL_ERROR, CVL_ERROR_EMPTY_OUTPUT);
      g_assert_error (direct_error, CVL_ERROR, CVL_ERROR_EMPTY_OUTPUT);
      return;
    }

  g_assert_no_error (naive_error);
  g_assert_no_error (direct_error);
  g_assert_cmpint (direct->width, ==, g.out_w);
  g_assert_cmpint (direct->height, ==, g.out_h);
  g_assert_cmpint (direct->channels, ==, in->channels);
  g_assert_cmpint (naive->width, ==, g.out_w);
  g_assert_cmpint (naive->height, ==, g.out_h);

  for (gsize i = 0; i < (gsize) g.out_w * g.out_h * in->channels; i++)
    worst = MAX (worst, fabs ((double) direct->data[i] - naive->data[i]));

  tolerance = 1e-5 * MAX (1.0, max_abs (naive));
  if (worst > tolerance)
    g_error ("direct differs from naive by %g (> %g): image %d×%d×%d, kernel %d×%d, "
             "stride %d×%d, dilation %d×%d, padding %d, border %d, flip %d",
             worst, tolerance, in->width, in->height, in->channels, k->width, k->height,
             o->stride_h, o->stride_w, o->dilation_h, o->dilation_w, o->padding,
             o->border, o->flip);
}

static void
test_direct_matches_naive (gconstpointer isa)
{
  static const int sizes[][2] = { { 1, 1 }, { 7, 5 }, { 64, 33 }, { 200, 150 } };
  static const int strides[] = { 1, 1, 2, 3, 8 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240607);
  guint n_runs = 0;

  if (!cvl_conv_direct_set_isa (isa))
    {
      g_test_skip ("This CPU lacks the instruction set");
      return;
    }

  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int border = CVL_BORDER_ZERO; border <= CVL_BORDER_WRAP; border++)
      for (int padding = CVL_PADDING_SAME; padding <= CVL_PADDING_VALID; padding++)
        for (int flip = 0; flip < 2; flip++)
          for (int repeat = 0; repeat < 3; repeat++)
            {
              int channels = g_rand_boolean (rand) ? 3 : 1;
              g_autoptr(CvlImage) in = random_image (rand, sizes[s][0], sizes[s][1], channels);
              g_autoptr(CvlKernel) k = random_kernel (rand, g_rand_int_range (rand, 1, 10),
                                                      g_rand_int_range (rand, 1, 10));
              CvlConvOptions o;

              cvl_conv_options_init (&o);
              o.border = border;
              o.padding = padding;
              o.flip = flip;
              o.stride_h = strides[g_rand_int_range (rand, 0, G_N_ELEMENTS (strides))];
              o.stride_w = strides[g_rand_int_range (rand, 0, G_N_ELEMENTS (strides))];
              o.dilation_h = g_rand_int_range (rand, 1, 4);
              o.dilation_w = g_rand_int_range (rand, 1, 4);
              assert_direct_matches_naive (in, k, &o);
              n_runs++;
            }

  g_test_message ("%u random configurations", n_runs);
  g_assert_true (cvl_conv_direct_set_isa (NULL));
}

/* Wide rows and every kernel side 1..9 at stride 1, the vectorised path. */
static void
test_direct_kernel_sizes (gconstpointer isa)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(CvlImage) in = random_image (rand, 203, 37, 3);

  if (!cvl_conv_direct_set_isa (isa))
    {
      g_test_skip ("This CPU lacks the instruction set");
      return;
    }

  for (int kh = 1; kh <= 9; kh++)
    for (int kw = 1; kw <= 9; kw++)
      {
        g_autoptr(CvlKernel) k = random_kernel (rand, kw, kh);
        CvlConvOptions o;

        cvl_conv_options_init (&o);
        o.border = (CvlBorder) ((kh + kw) % 4);
        assert_direct_matches_naive (in, k, &o);
      }

  g_assert_true (cvl_conv_direct_set_isa (NULL));
}

/* Same answer with 1, 3 or 7 threads, and from two threads at once. */
typedef struct
{
  const CvlImage  *in;
  const CvlKernel *kernel;
  const CvlImage  *expected;
} ConcurrentData;

static gpointer
concurrent_conv (gpointer data)
{
  const ConcurrentData *d = data;
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  o.border = CVL_BORDER_REFLECT;
  for (int i = 0; i < 10; i++)
    {
      g_autoptr(CvlImage) out = convolve (CVL_ENGINE_DIRECT, d->in, d->kernel, &o);

      g_assert_cmpmem (out->data, sizeof (float) * out->width * out->height * out->channels,
                       d->expected->data,
                       sizeof (float) * out->width * out->height * out->channels);
    }
  return NULL;
}

/* The 3×3 path (four output rows at once, overlapping first and last vectors)
 * with every border, padding and flip, on heights that leave every remainder
 * of four rows and widths below, at and above a vector; 1024 wide takes the
 * row-at-a-time path instead (rows 4 KiB apart). */
static void
test_direct_3x3 (gconstpointer isa)
{
  static const int widths[] = { 3, 9, 18, 33, 64, 101, 1024 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (33);

  if (!cvl_conv_direct_set_isa (isa))
    {
      g_test_skip ("This CPU lacks the instruction set");
      return;
    }

  for (gsize wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (int h = 1; h <= 13; h += 3)
      for (int border = CVL_BORDER_ZERO; border <= CVL_BORDER_WRAP; border++)
        for (int padding = CVL_PADDING_SAME; padding <= CVL_PADDING_VALID; padding++)
          for (int flip = 0; flip < 2; flip++)
            {
              g_autoptr(CvlImage) in = random_image (rand, widths[wi], h, 1 + 2 * (h % 2));
              g_autoptr(CvlKernel) k = random_kernel (rand, 3, 3);
              CvlConvOptions o;

              cvl_conv_options_init (&o);
              o.border = border;
              o.padding = padding;
              o.flip = flip;
              assert_direct_matches_naive (in, k, &o);
            }

  g_assert_true (cvl_conv_direct_set_isa (NULL));
}

static void
test_direct_threads (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autoptr(CvlImage) in = random_image (rand, 301, 211, 3);
  g_autoptr(CvlKernel) k = random_kernel (rand, 5, 5);
  g_autoptr(CvlImage) reference = NULL;
  ConcurrentData data;
  GThread *threads[2];
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  o.border = CVL_BORDER_REFLECT;

  cvl_conv_set_threads (1);
  g_assert_cmpint (cvl_conv_get_threads (), ==, 1);
  reference = convolve (CVL_ENGINE_DIRECT, in, k, &o);

  for (int n = 3; n <= 7; n += 4)
    {
      g_autoptr(CvlImage) out = NULL;

      cvl_conv_set_threads (n);
      out = convolve (CVL_ENGINE_DIRECT, in, k, &o);
      g_assert_cmpmem (out->data, sizeof (float) * 301 * 211 * 3,
                       reference->data, sizeof (float) * 301 * 211 * 3);
    }

  cvl_conv_set_threads (0);
  g_assert_cmpint (cvl_conv_get_threads (), ==, (int) g_get_num_processors ());

  data = (ConcurrentData) { in, k, reference };
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("conv", concurrent_conv, &data);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static void
test_reuses_output (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(CvlImage) big = random_image (rand, 64, 64, 3);
  g_autoptr(CvlImage) small = random_image (rand, 16, 16, 3);
  g_autoptr(CvlKernel) k = cvl_kernel_new_identity (3, 3);
  g_autoptr(CvlImage) out = NULL;
  CvlConvOptions o;
  float *data;

  cvl_conv_options_init (&o);
  g_assert_true (cvl_conv2d (CVL_ENGINE_DIRECT, big, k, &o, &out, NULL, NULL));
  data = out->data;
  g_assert_true (cvl_conv2d (CVL_ENGINE_DIRECT, small, k, &o, &out, NULL, NULL));
  g_assert_true (out->data == data);
  g_assert_cmpint (out->width, ==, 16);
  /* the identity kernel copies the image */
  g_assert_cmpmem (out->data, sizeof (float) * 16 * 16 * 3,
                   small->data, sizeof (float) * 16 * 16 * 3);
}

static void
test_cancelled (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(CvlImage) in = random_image (rand, 50, 40, 3);
  g_autoptr(CvlKernel) k = cvl_kernel_new_identity (3, 3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  g_cancellable_cancel (cancellable);

  for (gsize e = 0; e < G_N_ELEMENTS (engines); e++)
    {
      g_autoptr(CvlImage) out = NULL;
      g_autoptr(CvlImage) values = NULL;
      g_autoptr(CvlImage) alpha = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (cvl_conv2d (engines[e], in, k, &o, &out, cancellable, &error));
      g_assert_error (error, CVL_ERROR, CVL_ERROR_CANCELLED);
      g_clear_error (&error);

      g_assert_false (cvl_conv_apply (engines[e], in, k, &o, &values, &alpha,
                                      cancellable, &error));
      g_assert_error (error, CVL_ERROR, CVL_ERROR_CANCELLED);
    }
}

static void
test_empty_output (void)
{
  g_autoptr(CvlImage) in = cvl_image_new (9, 9, 3, NULL);
  g_autoptr(CvlKernel) k = cvl_kernel_new (11, 3, NULL);
  g_autoptr(CvlImage) out = NULL;
  g_autoptr(GError) error = NULL;
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  o.padding = CVL_PADDING_VALID;
  g_assert_false (cvl_conv2d (CVL_ENGINE_DIRECT, in, k, &o, &out, NULL, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_EMPTY_OUTPUT);
  g_assert_nonnull (strstr (error->message, "wider than the 9-pixel image"));
  g_assert_null (out);
}

/* Alpha follows the input pixel under the centre tap, also with strides. */
static void
test_apply_alpha (void)
{
  g_autoptr(CvlImage) in = cvl_image_new (5, 4, 4, NULL);
  g_autoptr(CvlKernel) k = cvl_kernel_new_identity (3, 3);
  float *alpha_in = cvl_image_plane (in, 3);
  CvlConvOptions o;

  for (int i = 0; i < 5 * 4 * 3; i++)
    in->data[i] = i / 60.0f;
  for (int i = 0; i < 5 * 4; i++)
    alpha_in[i] = i / 100.0f;

  cvl_conv_options_init (&o);
  for (gsize e = 0; e < G_N_ELEMENTS (engines); e++)
    {
      g_autoptr(CvlImage) values = NULL;
      g_autoptr(CvlImage) alpha = NULL;
      g_autoptr(GError) error = NULL;

      o.stride_h = o.stride_w = 1;
      g_assert_true (cvl_conv_apply (engines[e], in, k, &o, &values, &alpha, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (values->channels, ==, 3);
      g_assert_cmpint (alpha->channels, ==, 1);
      assert_image_values (values, in->data, 1e-6);
      assert_image_values (alpha, alpha_in, 1e-6);

      /* 5×4, stride 2: out 3×2, pad_left 1, pad_top 0, so the centre tap of
       * output (ox, oy) sits on input (2·ox, 2·oy + 1) */
      o.stride_h = o.stride_w = 2;
      g_assert_true (cvl_conv_apply (engines[e], in, k, &o, &values, &alpha, NULL, &error));
      g_assert_cmpint (alpha->width, ==, 3);
      g_assert_cmpint (alpha->height, ==, 2);
      for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 3; ox++)
          g_assert_cmpfloat_with_epsilon (alpha->data[oy * 3 + ox],
                                          alpha_in[(2 * oy + 1) * 5 + 2 * ox], 1e-6);
    }
}

static void
test_apply_opaque (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(CvlImage) in = random_image (rand, 8, 6, 3);
  g_autoptr(CvlKernel) k = cvl_kernel_new_preset ("blur", NULL);
  g_autoptr(CvlImage) values = NULL;
  g_autoptr(CvlImage) expected = NULL;
  CvlImage *alpha = cvl_image_new (2, 2, 1, NULL);
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  g_assert_true (cvl_conv_apply (CVL_ENGINE_DIRECT, in, k, &o, &values, &alpha, NULL, NULL));
  g_assert_null (alpha);
  expected = convolve (CVL_ENGINE_NAIVE, in, k, &o);
  assert_image_values (values, expected->data, 1e-6);
}

static void
test_apply_gray (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  g_autoptr(CvlImage) in = random_image (rand, 31, 17, 4);
  g_autoptr(CvlKernel) k = cvl_kernel_new_preset ("top-sobel", NULL);
  g_autoptr(CvlKernel) identity = cvl_kernel_new_identity (3, 3);
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  o.channels = CVL_CHANNELS_GRAY;
  o.border = CVL_BORDER_CLAMP;

  for (gsize e = 0; e < G_N_ELEMENTS (engines); e++)
    {
      g_autoptr(CvlImage) values = NULL;
      g_autoptr(CvlImage) alpha = NULL;
      g_autoptr(CvlImage) luma = cvl_image_to_luma (in);
      g_autoptr(CvlImage) expected = NULL;
      g_autoptr(GError) error = NULL;

      /* identity: the luma itself, with tf.image.rgb_to_grayscale's weights */
      g_assert_true (cvl_conv_apply (engines[e], in, identity, &o, &values, &alpha, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (values->channels, ==, 1);
      for (int i = 0; i < 31 * 17; i++)
        g_assert_cmpfloat_with_epsilon (values->data[i],
                                        0.2989 * in->data[i] +
                                        0.5870 * in->data[31 * 17 + i] +
                                        0.1140 * in->data[2 * 31 * 17 + i], 1e-5);
      assert_image_values (alpha, cvl_image_plane (in, 3), 1e-6);

      g_assert_true (cvl_conv_apply (engines[e], in, k, &o, &values, &alpha, NULL, &error));
      expected = convolve (CVL_ENGINE_NAIVE, luma, k, &o);
      assert_image_values (values, expected->data, 1e-5);
    }
}

int
main (int   argc,
      char *argv[])
{
#if defined(__x86_64__)
  static const char * const isas[] = { "avx512", "avx2", "generic" };
#else
  static const char * const isas[] = { "generic" };
#endif

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/conv/options", test_options);
  g_test_add_func ("/core/conv/geometry", test_geometry);
  g_test_add_func ("/core/conv/describe-size", test_describe_size);
  g_test_add_func ("/core/conv/border-index", test_border_index);
  g_test_add_func ("/core/conv/lecture-example", test_lecture_example);
  g_test_add_func ("/core/conv/border-modes", test_border_modes);
  g_test_add_func ("/core/conv/flip", test_flip);
  g_test_add_func ("/core/conv/divisor-offset", test_divisor_offset);
  /* every instruction set the direct engine is built for; the ones this
   * CPU lacks are reported as skipped */
  for (gsize i = 0; i < G_N_ELEMENTS (isas); i++)
    {
      g_autofree char *matches = g_strdup_printf ("/core/conv/direct-matches-naive/%s", isas[i]);
      g_autofree char *sizes = g_strdup_printf ("/core/conv/direct-kernel-sizes/%s", isas[i]);
      g_autofree char *k3x3 = g_strdup_printf ("/core/conv/direct-3x3/%s", isas[i]);

      g_test_add_data_func (matches, isas[i], test_direct_matches_naive);
      g_test_add_data_func (sizes, isas[i], test_direct_kernel_sizes);
      g_test_add_data_func (k3x3, isas[i], test_direct_3x3);
    }
  g_test_add_func ("/core/conv/direct-threads", test_direct_threads);
  g_test_add_func ("/core/conv/reuses-output", test_reuses_output);
  g_test_add_func ("/core/conv/cancelled", test_cancelled);
  g_test_add_func ("/core/conv/empty-output", test_empty_output);
  g_test_add_func ("/core/conv/apply-alpha", test_apply_alpha);
  g_test_add_func ("/core/conv/apply-opaque", test_apply_opaque);
  g_test_add_func ("/core/conv/apply-gray", test_apply_gray);

  return g_test_run ();
}
