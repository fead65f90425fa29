/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fast engines (direct, separable, FFT, auto) against the naive
 * reference over random images, kernels and every option; rank-1 detection,
 * FFT tiling and cancellation, engine names, and AUTO's cached cost model. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cvl-conv.h"
#include "cvl-conv-private.h"
#include "cvl-error.h"
#include "cvl-kernel-gen.h"

static const CvlEngine fast_engines[] = {
  CVL_ENGINE_DIRECT, CVL_ENGINE_SEPARABLE, CVL_ENGINE_FFT, CVL_ENGINE_AUTO,
};

static CvlImage *
random_image (int width,
              int height,
              int channels)
{
  CvlImage *image = cvl_image_new (width, height, channels, NULL);

  g_assert_nonnull (image);
  for (gsize i = 0; i < (gsize) width * height * channels; i++)
    image->data[i] = (float) g_test_rand_double_range (0, 1);

  return image;
}

/* Random weights, or an outer product of random vectors when rank1. Some
 * weights are 0 (the engines skip those taps), most are not. */
static CvlKernel *
random_kernel (int      width,
               int      height,
               gboolean rank1)
{
  CvlKernel *k = cvl_kernel_new (width, height, NULL);
  g_autofree float *col = g_new (float, height);
  g_autofree float *row = g_new (float, width);

  g_assert_nonnull (k);
  for (int y = 0; y < height; y++)
    col[y] = (float) g_test_rand_double_range (-1, 1);
  for (int x = 0; x < width; x++)
    row[x] = g_test_rand_int_range (0, 8) == 0 ? 0 : (float) g_test_rand_double_range (-1, 1);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      k->values[y * width + x] = rank1 ? col[y] * row[x]
                                       : (float) g_test_rand_double_range (-1, 1);
  k->divisor = (float) g_test_rand_double_range (0.5, 2);
  k->offset = (float) g_test_rand_double_range (-0.5, 0.5);

  return k;
}

static void
random_options (CvlConvOptions *o)
{
  cvl_conv_options_init (o);
  o->stride_h = g_test_rand_int_range (0, 3) == 0 ? g_test_rand_int_range (2, 4) : 1;
  o->stride_w = g_test_rand_int_range (0, 3) == 0 ? g_test_rand_int_range (2, 4) : 1;
  o->dilation_h = g_test_rand_int_range (0, 4) == 0 ? g_test_rand_int_range (2, 4) : 1;
  o->dilation_w = g_test_rand_int_range (0, 4) == 0 ? g_test_rand_int_range (2, 4) : 1;
  o->padding = g_test_rand_int_range (0, 4) == 0 ? CVL_PADDING_VALID : CVL_PADDING_SAME;
  o->border = g_test_rand_int_range (0, 4);
  o->flip = g_test_rand_bit ();
}

static char *
describe (CvlEngine             engine,
          const CvlImage       *in,
          const CvlKernel      *k,
          const CvlConvOptions *o)
{
  return g_strdup_printf ("%s: image %d×%d×%d, kernel %d×%d, stride %d×%d, dilation %d×%d, "
                          "%s, border %d, flip %d", cvl_engine_to_string (engine),
                          in->width, in->height, in->channels, k->width, k->height,
                          o->stride_w, o->stride_h, o->dilation_w, o->dilation_h,
                          o->padding == CVL_PADDING_SAME ? "SAME" : "VALID", o->border,
                          o->flip);
}

/* max|a − b| ≤ 1e-4 · max|reference| (the naive output). */
static void
assert_close (const CvlImage *reference,
              const CvlImage *result,
              const char     *what)
{
  gsize n = (gsize) reference->width * reference->height * reference->channels;
  double max_ref = 0, max_diff = 0;

  g_assert_cmpint (result->width, ==, reference->width);
  g_assert_cmpint (result->height, ==, reference->height);
  g_assert_cmpint (result->channels, ==, reference->channels);

  for (gsize i = 0; i < n; i++)
    {
      max_ref = MAX (max_ref, fabs (reference->data[i]));
      /* !(≤) also catches NaN */
      if (!(fabs (reference->data[i] - result->data[i]) <= max_diff))
        max_diff = isnan (result->data[i]) ? INFINITY
                                           : fabs (reference->data[i] - result->data[i]);
    }

  if (!(max_diff <= 1e-4 * MAX (max_ref, 1e-3)))
    g_error ("%s differs from the naive reference by %g (largest output %g)",
             what, max_diff, max_ref);
}

/* Every fast engine agrees with the naive one on this input, or all report
 * the same empty output. */
static void
check_engines (const CvlImage       *in,
               const CvlKernel      *k,
               const CvlConvOptions *o)
{
  g_autoptr(CvlImage) reference = NULL;
  g_autoptr(GError) ref_error = NULL;
  gboolean ref_ok = cvl_conv2d (CVL_ENGINE_NAIVE, in, k, o, &reference, NULL, &ref_error);

  if (!ref_ok)
    g_assert_error (ref_error, CVL_ERROR, CVL_ERROR_EMPTY_OUTPUT);

  for (gsize e = 0; e < G_N_ELEMENTS (fast_engines); e++)
    {
      g_autoptr(CvlImage) out = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *what = describe (fast_engines[e], in, k, o);
      gboolean ok = cvl_conv2d (fast_engines[e], in, k, o, &out, NULL, &error);

      if (!ref_ok)
        {
          g_assert_false (ok);
          g_assert_error (error, CVL_ERROR, CVL_ERROR_EMPTY_OUTPUT);
          continue;
        }

      g_assert_no_error (error);
      g_assert_true (ok);
      assert_close (reference, out, what);
    }
}

/* The FFT engine's output with an explicit tile size, against naive. */
static void
check_fft_tiles (const CvlImage       *in,
                 const CvlKernel      *k,
                 const CvlConvOptions *o,
                 int                   tile_h,
                 int                   tile_w)
{
  g_autoptr(CvlImage) reference = NULL;
  g_autoptr(CvlImage) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = describe (CVL_ENGINE_FFT, in, k, o);

  g_assert_true (cvl_conv2d (CVL_ENGINE_NAIVE, in, k, o, &reference, NULL, &error));
  cvl_conv_fft_set_tile_override (tile_h, tile_w);
  g_assert_true (cvl_conv2d (CVL_ENGINE_FFT, in, k, o, &out, NULL, &error));
  cvl_conv_fft_set_tile_override (0, 0);
  g_assert_no_error (error);
  assert_close (reference, out, what);
}

/* Runs first in the process: FFTW reads its wisdom once, and a corrupt file
 * must only cost it the wisdom. */
static void
test_corrupt_wisdom (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "convolve", NULL);
  g_autofree char *path = g_build_filename (dir, "fftw-wisdom", NULL);
  g_autoptr(CvlImage) in = random_image (40, 30, 1);
  g_autoptr(CvlKernel) k = random_kernel (5, 4, FALSE);
  CvlConvOptions o;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "(fftw-3.3.10 fftwf_wisdom #x1 (garbage", -1,
                                      NULL));
  cvl_conv_options_init (&o);
  check_engines (in, k, &o);
}

static void
test_names (void)
{
  for (int e = 0; e < CVL_N_ENGINES; e++)
    {
      CvlEngine parsed = -1;
      g_autofree char *upper = g_ascii_strup (cvl_engine_to_string (e), -1);

      g_assert_true (cvl_engine_from_string (cvl_engine_to_string (e), &parsed));
      g_assert_cmpint (parsed, ==, e);
      parsed = -1;
      g_assert_true (cvl_engine_from_string (upper, &parsed));
      g_assert_cmpint (parsed, ==, e);
      g_assert_nonnull (cvl_engine_label (e));
      g_assert_cmpstr (cvl_engine_label (e), !=, "");
    }

  g_assert_cmpstr (cvl_engine_to_string (CVL_ENGINE_FFT), ==, "fft");
  g_assert_cmpstr (cvl_engine_to_string (CVL_ENGINE_SEPARABLE), ==, "separable");
  g_assert_cmpstr (cvl_engine_label (CVL_ENGINE_FFT), ==, "FFT");

  {
    CvlEngine parsed = CVL_ENGINE_DIRECT;

    g_assert_false (cvl_engine_from_string ("fast", &parsed));
    g_assert_false (cvl_engine_from_string ("", &parsed));
    g_assert_false (cvl_engine_from_string (NULL, &parsed));
    g_assert_cmpint (parsed, ==, CVL_ENGINE_DIRECT);
  }
}

/* Random everything: kernels 1…65 a side (odd, even, non-square), images
 * from 1 pixel to a little larger than the kernel, random options, 1 or 3
 * channels. */
static void
test_random (void)
{
  /* The naive engine is the cost here: keep its total work bounded. */
  double budget = 6e8;
  int i;

  for (i = 0; i < 400 && budget > 0; i++)
    {
      int kw = g_test_rand_int_range (1, 66);
      int kh = g_test_rand_bit () ? kw : g_test_rand_int_range (1, 66);
      int channels = g_test_rand_bit () ? 3 : 1;
      int w = g_test_rand_int_range (1, 24 + (kw * 3) / 2);
      int h = g_test_rand_int_range (1, 24 + (kh * 3) / 2);
      g_autoptr(CvlImage) in = random_image (w, h, channels);
      g_autoptr(CvlKernel) k = random_kernel (kw, kh, g_test_rand_bit ());
      CvlConvOptions o;

      random_options (&o);
      check_engines (in, k, &o);
      budget -= (double) w * h * channels * kw * kh;
    }
  g_test_message ("%d random cases", i);
}

/* Each option on its own and in combination, with small kernels (3×3 has a
 * path of its own in the direct engine). */
static void
test_every_option (void)
{
  for (int border = CVL_BORDER_ZERO; border <= CVL_BORDER_WRAP; border++)
    for (int padding = CVL_PADDING_SAME; padding <= CVL_PADDING_VALID; padding++)
      for (int flip = 0; flip <= 1; flip++)
        for (int stride = 1; stride <= 3; stride++)
          for (int dilation = 1; dilation <= 2; dilation++)
            for (int channels = 1; channels <= 3; channels += 2)
              {
                g_autoptr(CvlImage) in = random_image (23, 19, channels);
                g_autoptr(CvlKernel) k = random_kernel (4, 5, FALSE);
                g_autoptr(CvlKernel) k1 = random_kernel (5, 3, TRUE);
                g_autoptr(CvlKernel) k3 = random_kernel (3, 3, FALSE);
                CvlConvOptions o;

                cvl_conv_options_init (&o);
                o.border = border;
                o.padding = padding;
                o.flip = flip;
                o.stride_h = stride;
                o.stride_w = stride == 3 ? 2 : stride;
                o.dilation_h = dilation;
                o.dilation_w = 3 - dilation;
                check_engines (in, k, &o);
                check_engines (in, k1, &o);
                check_engines (in, k3, &o);
              }
}

/* Outputs this large are written with streaming stores: aligned vectors
 * after a scalar start (the direct engine's interior starts at column 1), and
 * four aligned rows at a time (the separable engine's vertical pass). */
static void
test_large_output (void)
{
  int w = 3008, h = 2790;
  g_autoptr(CvlImage) in = random_image (w, h, 1);
  g_autoptr(CvlKernel) k = random_kernel (3, 3, FALSE);
  g_autoptr(CvlKernel) k1 = random_kernel (3, 7, TRUE);
  CvlConvOptions o;

  g_assert_cmpuint ((gsize) w * h * sizeof (float), >=, CVL_CONV_STREAM_BYTES);
  cvl_conv_options_init (&o);
  o.border = CVL_BORDER_CLAMP;
  check_engines (in, k, &o);
  check_engines (in, k1, &o);
}

/* An image many tiles wide and tall, so that tiles overlap on every side,
 * with tiles of uneven, non-square sizes. */
static void
test_fft_tiles (void)
{
  g_autoptr(CvlImage) in = random_image (317, 251, 2);
  g_autoptr(CvlKernel) k = random_kernel (17, 12, FALSE);
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  o.border = CVL_BORDER_REFLECT;
  check_fft_tiles (in, k, &o, 32, 48);      /* 16×37 outputs a tile: 16 × 9 tiles */
  check_fft_tiles (in, k, &o, 17, 12);      /* one output per tile */

  o.border = CVL_BORDER_WRAP;
  o.flip = TRUE;
  o.stride_h = 2;
  o.dilation_w = 3;
  check_fft_tiles (in, k, &o, 40, 27);

  o.padding = CVL_PADDING_VALID;
  o.border = CVL_BORDER_ZERO;
  o.stride_w = 3;
  o.dilation_h = 2;
  check_fft_tiles (in, k, &o, 64, 64);
}

typedef struct
{
  CvlImage       *in;
  CvlKernel      *kernel;
  CvlConvOptions  options;
  CvlEngine       engine;
  CvlImage       *out;
  gboolean        ok;
} ThreadCase;

static gpointer
run_thread_cases (gpointer data)
{
  GPtrArray *cases = data;

  for (guint i = 0; i < cases->len; i++)
    {
      ThreadCase *c = g_ptr_array_index (cases, i);

      c->ok = cvl_conv2d (c->engine, c->in, c->kernel, &c->options, &c->out, NULL, NULL);
    }

  return NULL;
}

static void
thread_case_free (gpointer data)
{
  ThreadCase *c = data;

  cvl_image_free (c->in);
  cvl_kernel_free (c->kernel);
  cvl_image_free (c->out);
  g_free (c);
}

/* Several threads at once through the shared plan, spectrum and scratch
 * caches (as previews and a full render can be), each result still right. */
static void
test_concurrent (void)
{
  GThread *threads[4];
  GPtrArray *cases[G_N_ELEMENTS (threads)];

  for (gsize t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      cases[t] = g_ptr_array_new_with_free_func (thread_case_free);
      for (int i = 0; i < 6; i++)
        {
          ThreadCase *c = g_new0 (ThreadCase, 1);
          int k = g_test_rand_int_range (3, 24);

          c->in = random_image (g_test_rand_int_range (40, 120), g_test_rand_int_range (40, 120),
                                g_test_rand_bit () ? 3 : 1);
          c->kernel = random_kernel (k, g_test_rand_bit () ? k : k + 2, g_test_rand_bit ());
          random_options (&c->options);
          c->options.padding = CVL_PADDING_SAME;
          c->engine = fast_engines[g_test_rand_int_range (0, G_N_ELEMENTS (fast_engines))];
          if (i % 2 == 0)
            c->engine = CVL_ENGINE_FFT;
          g_ptr_array_add (cases[t], c);
        }
    }

  for (gsize t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("conv", run_thread_cases, cases[t]);
  for (gsize t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (threads[t]);

  for (gsize t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      for (guint i = 0; i < cases[t]->len; i++)
        {
          ThreadCase *c = g_ptr_array_index (cases[t], i);
          g_autoptr(CvlImage) reference = NULL;
          g_autofree char *what = describe (c->engine, c->in, c->kernel, &c->options);

          g_assert_true (c->ok);
          g_assert_true (cvl_conv2d (CVL_ENGINE_NAIVE, c->in, c->kernel, &c->options,
                                     &reference, NULL, NULL));
          assert_close (reference, c->out, what);
        }
      g_ptr_array_unref (cases[t]);
    }
}

static CvlKernel *
kernel_from (int          width,
             int          height,
             const float *values)
{
  CvlKernel *k = cvl_kernel_new (width, height, NULL);

  memcpy (k->values, values, sizeof (float) * width * height);
  return k;
}

static void
test_rank1 (void)
{
  static const float sobel[] = { -1, 0, 1, -2, 0, 2, -1, 0, 1 };
  static const float sharpen[] = { 0, -1, 0, -1, 5, -1, 0, -1, 0 };
  static const float rank2[] = { 1, 2, 3, 2, 4, 6, 3, 6, 10 };
  g_autoptr(CvlKernel) sobel_k = kernel_from (3, 3, sobel);
  g_autoptr(CvlKernel) sharpen_k = kernel_from (3, 3, sharpen);
  g_autoptr(CvlKernel) rank2_k = kernel_from (3, 3, rank2);
  g_autoptr(CvlKernel) box = cvl_kernel_new (7, 7, NULL);
  g_autoptr(CvlKernel) gauss = cvl_kernel_new (21, 15, NULL);
  g_autoptr(CvlKernel) zero = cvl_kernel_new (4, 4, NULL);
  g_autoptr(CvlKernel) one = cvl_kernel_new (1, 1, NULL);
  g_autoptr(CvlKernel) line = random_kernel (9, 1, FALSE);
  g_autoptr(CvlKernel) random = random_kernel (6, 6, FALSE);
  g_autoptr(CvlKernel) generated = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 49; i++)
    box->values[i] = 1.0f / 49;
  /* A Gaussian evaluated per cell in float, as a generator would. */
  for (int y = 0; y < 15; y++)
    for (int x = 0; x < 21; x++)
      gauss->values[y * 21 + x] = expf (-((x - 10) * (x - 10) + (y - 7) * (y - 7)) / 18.0f);
  memset (zero->values, 0, sizeof (float) * 16);
  one->values[0] = 2;

  g_assert_true (cvl_conv_kernel_is_separable (sobel_k));
  g_assert_true (cvl_conv_kernel_is_separable (box));
  g_assert_true (cvl_conv_kernel_is_separable (gauss));
  g_assert_true (cvl_conv_kernel_is_separable (zero));
  g_assert_true (cvl_conv_kernel_is_separable (one));
  g_assert_true (cvl_conv_kernel_is_separable (line));
  g_assert_false (cvl_conv_kernel_is_separable (sharpen_k));
  g_assert_false (cvl_conv_kernel_is_separable (rank2_k));
  g_assert_false (cvl_conv_kernel_is_separable (random));

  generated = cvl_kernel_parse_generator ("gaussian:sigma=3", &error);
  g_assert_no_error (error);
  g_assert_true (cvl_conv_kernel_is_separable (generated));
  g_clear_pointer (&generated, cvl_kernel_free);
  generated = cvl_kernel_parse_generator ("box", &error);
  g_assert_no_error (error);
  g_assert_true (cvl_conv_kernel_is_separable (generated));

  /* A tiny perturbation of one weight is enough to be rank 2. */
  gauss->values[3 * 21 + 4] += 1e-4f;
  g_assert_false (cvl_conv_kernel_is_separable (gauss));

  {
    g_autoptr(CvlImage) in = random_image (30, 20, 3);
    CvlConvOptions o;

    cvl_conv_options_init (&o);
    /* SEPARABLE with a kernel that is not: resolved to DIRECT, still right. */
    g_assert_cmpint (cvl_conv_resolve_engine (CVL_ENGINE_SEPARABLE, 20, 30, 3, sharpen_k, &o),
                     ==, CVL_ENGINE_DIRECT);
    g_assert_cmpint (cvl_conv_resolve_engine (CVL_ENGINE_SEPARABLE, 20, 30, 3, sobel_k, &o),
                     ==, CVL_ENGINE_SEPARABLE);
    check_engines (in, sharpen_k, &o);
    check_engines (in, sobel_k, &o);
    check_engines (in, zero, &o);
  }
}

static void
test_resolve (void)
{
  g_autoptr(CvlKernel) small = random_kernel (3, 3, FALSE);
  g_autoptr(CvlKernel) large = random_kernel (63, 63, FALSE);
  g_autoptr(CvlKernel) gauss = random_kernel (31, 31, TRUE);
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  for (CvlEngine e = CVL_ENGINE_NAIVE; e <= CVL_ENGINE_FFT; e++)
    if (e != CVL_ENGINE_SEPARABLE)
      g_assert_cmpint (cvl_conv_resolve_engine (e, 100, 100, 3, small, &o), ==, e);

  for (int size = 1; size <= 65; size += 4)
    {
      g_autoptr(CvlKernel) k = random_kernel (size, size, size % 3 == 0);
      CvlEngine e = cvl_conv_resolve_engine (CVL_ENGINE_AUTO, 3000, 4000, 3, k, &o);

      g_assert_true (e == CVL_ENGINE_DIRECT || e == CVL_ENGINE_SEPARABLE ||
                     e == CVL_ENGINE_FFT);
      if (e == CVL_ENGINE_SEPARABLE)
        g_assert_true (cvl_conv_kernel_is_separable (k));
    }

  /* The built-in model already knows the obvious cases. */
  g_assert_cmpint (cvl_conv_resolve_engine (CVL_ENGINE_AUTO, 3000, 4000, 3, small, &o),
                   ==, CVL_ENGINE_DIRECT);
  g_assert_cmpint (cvl_conv_resolve_engine (CVL_ENGINE_AUTO, 3000, 4000, 3, large, &o),
                   ==, CVL_ENGINE_FFT);
  g_assert_cmpint (cvl_conv_resolve_engine (CVL_ENGINE_AUTO, 3000, 4000, 3, gauss, &o),
                   ==, CVL_ENGINE_SEPARABLE);
  /* A kernel larger than a VALID image: no output, any engine is fine. */
  o.padding = CVL_PADDING_VALID;
  g_assert_cmpint (cvl_conv_resolve_engine (CVL_ENGINE_AUTO, 10, 10, 1, large, &o),
                   !=, CVL_ENGINE_AUTO);
}

/* cvl_conv_apply() with AUTO and SEPARABLE on RGBA and gray. */
static void
test_apply (void)
{
  g_autoptr(CvlImage) in = random_image (41, 33, 4);
  g_autoptr(CvlKernel) k = random_kernel (9, 9, TRUE);
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  for (int gray = 0; gray <= 1; gray++)
    {
      g_autoptr(CvlImage) ref_values = NULL;
      g_autoptr(CvlImage) ref_alpha = NULL;

      o.channels = gray ? CVL_CHANNELS_GRAY : CVL_CHANNELS_RGB;
      g_assert_true (cvl_conv_apply (CVL_ENGINE_NAIVE, in, k, &o, &ref_values, &ref_alpha,
                                     NULL, NULL));
      for (gsize e = 0; e < G_N_ELEMENTS (fast_engines); e++)
        {
          g_autoptr(CvlImage) values = NULL;
          g_autoptr(CvlImage) alpha = NULL;
          g_autoptr(GError) error = NULL;

          g_assert_true (cvl_conv_apply (fast_engines[e], in, k, &o, &values, &alpha, NULL,
                                         &error));
          g_assert_no_error (error);
          assert_close (ref_values, values, cvl_engine_to_string (fast_engines[e]));
          assert_close (ref_alpha, alpha, "alpha");
        }
    }
}

static void
test_cancel_before (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CvlImage) in = random_image (300, 200, 3);
  g_autoptr(CvlKernel) k = random_kernel (15, 15, TRUE);
  CvlConvOptions o;

  cvl_conv_options_init (&o);
  g_cancellable_cancel (cancellable);

  for (CvlEngine e = CVL_ENGINE_NAIVE; e < CVL_N_ENGINES; e++)
    {
      g_autoptr(CvlImage) out = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (cvl_conv2d (e, in, k, &o, &out, cancellable, &error));
      g_assert_error (error, CVL_ERROR, CVL_ERROR_CANCELLED);
    }
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (20 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

/* A cancel from another thread lands between tiles: the call returns long
 * before the run could have finished. Tiny tiles make the run long. */
static void
test_cancel_between_tiles (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CvlImage) in = random_image (2000, 1500, 1);
  g_autoptr(CvlImage) out = NULL;
  g_autoptr(CvlKernel) k = random_kernel (17, 17, FALSE);
  g_autoptr(GError) error = NULL;
  CvlConvOptions o;
  GThread *thread;
  gint64 start, uncancelled, cancelled;

  cvl_conv_options_init (&o);
  cvl_conv_fft_set_tile_override (20, 20);

  start = g_get_monotonic_time ();
  g_assert_true (cvl_conv2d (CVL_ENGINE_FFT, in, k, &o, &out, NULL, &error));
  uncancelled = g_get_monotonic_time () - start;
  g_assert_no_error (error);

  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  start = g_get_monotonic_time ();
  g_assert_false (cvl_conv2d (CVL_ENGINE_FFT, in, k, &o, &out, cancellable, &error));
  cancelled = g_get_monotonic_time () - start;
  g_thread_join (thread);
  cvl_conv_fft_set_tile_override (0, 0);

  g_assert_error (error, CVL_ERROR, CVL_ERROR_CANCELLED);
  g_test_message ("whole run %.1f ms, cancelled after %.1f ms",
                  uncancelled / 1000.0, cancelled / 1000.0);
  g_assert_cmpint (cancelled, <, uncancelled / 2);
}

static void
test_cost_model_cache (void)
{
  g_autofree char *path = cvl_conv_cost_model_path ();
  g_autofree char *text = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlKernel) k = random_kernel (21, 21, FALSE);
  CvlConvOptions o;
  double before, after;
  gint64 start;

  /* The test's own cache folder, with no model yet. */
  g_assert_true (g_str_has_prefix (path, g_get_user_cache_dir ()));
  g_remove (path);
  cvl_conv_options_init (&o);
  cvl_conv_cost_model_reset ();
  g_assert_false (cvl_conv_is_calibrated ());

  start = g_get_monotonic_time ();
  g_assert_true (cvl_conv_calibrate (NULL, &error));
  g_assert_no_error (error);
  g_test_message ("calibration took %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_true (cvl_conv_is_calibrated ());
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* FFTW's wisdom went next to it, replacing the corrupt file. */
  {
    g_autofree char *wisdom_path = g_build_filename (g_get_user_cache_dir (), "convolve",
                                                     "fftw-wisdom", NULL);
    g_autofree char *wisdom = NULL;

    g_assert_true (g_file_get_contents (wisdom_path, &wisdom, NULL, NULL));
    g_assert_true (g_str_has_prefix (wisdom, "(fftw-3"));
    g_assert_null (strstr (wisdom, "garbage"));
  }

  g_assert_true (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_key_file_get_integer (file, "cost-model", "version", NULL), >=, 1);
  g_assert_cmpfloat (g_key_file_get_double (file, "cost-model", "direct-tap", NULL), >, 0);

  /* Re-read from the file: the same model. */
  before = cvl_conv_estimate_ns (CVL_ENGINE_FFT, 3000, 4000, 3, k, &o);
  cvl_conv_cost_model_reset ();
  g_assert_true (cvl_conv_is_calibrated ());
  after = cvl_conv_estimate_ns (CVL_ENGINE_FFT, 3000, 4000, 3, k, &o);
  g_assert_cmpfloat_with_epsilon (before, after, before * 1e-9);
  /* Calibrating again only reads the file (sanitizer setups, several times
   * slower, set CVL_TEST_LATENCY_SCALE). */
  start = g_get_monotonic_time ();
  g_assert_true (cvl_conv_calibrate (NULL, NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, <,
                   50 * 1000 * MAX (1, atoi (g_getenv ("CVL_TEST_LATENCY_SCALE") ?: "1")));

  /* Corrupt, truncated, another version, a negative figure: all ignored. */
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  {
    g_autofree char *truncated = g_strndup (text, strlen (text) / 2);
    g_autofree char *negative = NULL;
    g_autoptr(GKeyFile) edited = g_key_file_new ();
    const char *bad[] = { "\x01\x02 not a key file [[[", truncated, NULL, NULL };

    int version;

    g_key_file_load_from_data (edited, text, -1, G_KEY_FILE_NONE, NULL);
    version = g_key_file_get_integer (edited, "cost-model", "version", NULL);
    g_key_file_set_integer (edited, "cost-model", "version", version + 1);
    bad[2] = g_key_file_to_data (edited, NULL, NULL);
    g_key_file_set_integer (edited, "cost-model", "version", version);
    g_key_file_set_double (edited, "cost-model", "direct-tap", -1);
    negative = g_key_file_to_data (edited, NULL, NULL);
    bad[3] = negative;

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));
        cvl_conv_cost_model_reset ();
        g_assert_false (cvl_conv_is_calibrated ());
        /* AUTO still answers, from the built-in figures. */
        g_assert_cmpint (cvl_conv_resolve_engine (CVL_ENGINE_AUTO, 3000, 4000, 3, k, &o), !=,
                         CVL_ENGINE_AUTO);
      }
    g_free ((char *) bad[2]);
  }

  /* The original file is valid again. */
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  cvl_conv_cost_model_reset ();
  g_assert_true (cvl_conv_is_calibrated ());
}

static void
test_calibrate_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = cvl_conv_cost_model_path ();

  g_remove (path);
  cvl_conv_cost_model_reset ();
  g_cancellable_cancel (cancellable);
  g_assert_false (cvl_conv_calibrate (cancellable, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_CANCELLED);
  g_assert_false (cvl_conv_is_calibrated ());
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
remove_cache (const char *cache)
{
  static const char *const files[] = { "cost-model.ini", "fftw-wisdom" };
  g_autofree char *dir = g_build_filename (cache, "convolve", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);

      g_remove (path);
    }
  g_rmdir (dir);
  g_rmdir (cache);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = g_dir_make_tmp ("convolve-test-engines-XXXXXX", NULL);
  int status;

  /* A cache folder of our own, set before GLib first reads it: nothing here
   * touches the real user cache. (G_TEST_OPTION_ISOLATE_DIRS would do it per
   * test, but GLib 2.74 leaks the old paths, which LeakSanitizer reports.) */
  g_assert_nonnull (cache);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_get_user_cache_dir (), ==, cache);

  g_test_add_func ("/core/engines/fft/corrupt-wisdom", test_corrupt_wisdom);
  g_test_add_func ("/core/engines/names", test_names);
  g_test_add_func ("/core/engines/match-naive/random", test_random);
  g_test_add_func ("/core/engines/match-naive/every-option", test_every_option);
  g_test_add_func ("/core/engines/match-naive/apply", test_apply);
  g_test_add_func ("/core/engines/match-naive/large-output", test_large_output);
  g_test_add_func ("/core/engines/fft/tiles", test_fft_tiles);
  g_test_add_func ("/core/engines/match-naive/concurrent", test_concurrent);
  g_test_add_func ("/core/engines/separable/rank1", test_rank1);
  g_test_add_func ("/core/engines/auto/resolve", test_resolve);
  g_test_add_func ("/core/engines/cancel/before", test_cancel_before);
  g_test_add_func ("/core/engines/cancel/between-tiles", test_cancel_between_tiles);
  g_test_add_func ("/core/engines/auto/calibrate-cancelled", test_calibrate_cancelled);
  g_test_add_func ("/core/engines/auto/cost-model-cache", test_cost_model_cache);

  status = g_test_run ();
  remove_cache (cache);

  return status;
}
