/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The convnet's layers: every backward pass against central finite
 * differences, im2col + sgemm against the naive convolution, the optimisers
 * on known cases, and the lecture network learning a tiny synthetic task. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-net-train.h"
#include "cvl-nn.h"

static float *
random_floats (CvlRng *rng,
               gsize   n,
               double  scale)
{
  float *x = cvl_nn_alloc (n, NULL);

  for (gsize i = 0; i < n; i++)
    x[i] = (float) (scale * (2 * cvl_rng_uniform (rng) - 1));
  return x;
}

static double
dot (const float *a,
     const float *b,
     gsize        n)
{
  double s = 0;

  for (gsize i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

static void
assert_close (const float *got,
              const float *want,
              gsize        n,
              double       abs_tol,
              double       rel_tol,
              const char  *what)
{
  for (gsize i = 0; i < n; i++)
    if (fabs (got[i] - want[i]) > abs_tol + rel_tol * fabs (want[i]))
      g_error ("%s[%" G_GSIZE_FORMAT "]: got %.7g, want %.7g", what, i, got[i], want[i]);
}

/* -- Convolution ------------------------------------------------------------ */

static void
test_conv_matches_naive (void)
{
  CvlConvShape s = { 3, 2, 4, 7, 6, 5 };
  gsize n_in = (gsize) s.c_in * s.n * s.h * s.w, n_out = (gsize) s.c_out * s.n * s.h * s.w;
  gsize n_w = (gsize) s.c_out * s.c_in * s.k * s.k;
  CvlRng rng;
  float *in, *w, *b, *dout, *col, *out, *out_ref;
  float *dw, *db, *din, *dw_ref, *db_ref, *din_ref;

  cvl_rng_init (&rng, 7);
  in = random_floats (&rng, n_in, 1);
  w = random_floats (&rng, n_w, 0.5);
  b = random_floats (&rng, s.c_out, 0.5);
  dout = random_floats (&rng, n_out, 1);
  col = cvl_nn_alloc (cvl_nn_conv_col_size (&s), NULL);
  out = cvl_nn_alloc (n_out, NULL);
  out_ref = cvl_nn_alloc (n_out, NULL);
  dw = cvl_nn_alloc (n_w, NULL);
  dw_ref = cvl_nn_alloc (n_w, NULL);
  db = cvl_nn_alloc (s.c_out, NULL);
  db_ref = cvl_nn_alloc (s.c_out, NULL);
  din = cvl_nn_alloc (n_in, NULL);
  din_ref = cvl_nn_alloc (n_in, NULL);

  cvl_nn_conv_forward (&s, in, w, b, out, col, FALSE);
  cvl_nn_conv_forward_naive (&s, in, w, b, out_ref);
  assert_close (out, out_ref, n_out, 1e-5, 1e-5, "forward");

  cvl_nn_conv_backward (&s, dout, w, dw, db, din, col);
  cvl_nn_conv_backward_naive (&s, in, dout, w, dw_ref, db_ref, din_ref);
  assert_close (dw, dw_ref, n_w, 1e-4, 1e-5, "dweight");
  assert_close (db, db_ref, s.c_out, 1e-4, 1e-5, "dbias");
  assert_close (din, din_ref, n_in, 1e-4, 1e-5, "din");

  /* With ReLU fused, the forward is max(0, ·) of the same. */
  cvl_nn_conv_forward (&s, in, w, b, out, col, TRUE);
  for (gsize i = 0; i < n_out; i++)
    g_assert_cmpfloat_with_epsilon (out[i], MAX (out_ref[i], 0.f), 1e-5);

  for (float **p = (float *[]) { in, w, b, dout, col, out, out_ref, dw, db, din,
                                 dw_ref, db_ref, din_ref, NULL }; *p; p++)
    cvl_nn_free (*p);
}

/* The FFT convolution against the naive one: forward, weight, bias and
 * input gradients, on the lecture's conv2 and on odd shapes (a tail of
 * planes not filling a block, h ≠ w, k = 3 and 7, a batch below capacity),
 * through the 16×16 transforms and FFTW's (run again with CVL_NN_FFT=fftw
 * for FFTW's alone). */
static void
test_fft_conv_matches_naive (void)
{
  const struct { CvlConvShape s; int n; } cases[] = {
    { { 3, 32, 64, 14, 14, 5 }, 3 },
    { { 8, 3, 5, 15, 15, 3 }, 5 },
    { { 3, 4, 3, 13, 13, 7 }, 3 },
    { { 4, 3, 5, 7, 6, 5 }, 4 },
    { { 4, 3, 5, 9, 5, 3 }, 2 },
    { { 2, 2, 3, 8, 11, 7 }, 1 },
    { { 5, 1, 4, 10, 10, 5 }, 5 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      CvlConvShape s = cases[c].s;
      g_autoptr(CvlFftConv) fc = NULL;
      g_autoptr(GError) error = NULL;
      gsize n_in, n_out, n_w = (gsize) s.c_out * s.c_in * s.k * s.k;
      CvlRng rng;
      float *in, *w, *b, *dout, *out, *out_ref;
      float *dw, *db, *din, *dw_ref, *db_ref, *din_ref;

      fc = cvl_nn_fft_conv_new (&s, &error);
      g_assert_no_error (error);
      s.n = cases[c].n;
      n_in = (gsize) s.c_in * s.n * s.h * s.w;
      n_out = (gsize) s.c_out * s.n * s.h * s.w;
      cvl_rng_init (&rng, 17 + c);
      in = random_floats (&rng, n_in, 1);
      w = random_floats (&rng, n_w, 0.5);
      b = random_floats (&rng, s.c_out, 0.5);
      dout = random_floats (&rng, n_out, 1);
      out = cvl_nn_alloc (n_out, NULL);
      out_ref = cvl_nn_alloc (n_out, NULL);
      dw = cvl_nn_alloc (n_w, NULL);
      dw_ref = cvl_nn_alloc (n_w, NULL);
      db = cvl_nn_alloc (s.c_out, NULL);
      db_ref = cvl_nn_alloc (s.c_out, NULL);
      din = cvl_nn_alloc (n_in, NULL);
      din_ref = cvl_nn_alloc (n_in, NULL);

      cvl_nn_fft_conv_forward (fc, s.n, in, w, b, out, FALSE);
      cvl_nn_conv_forward_naive (&s, in, w, b, out_ref);
      assert_close (out, out_ref, n_out, 1e-4, 1e-4, "fft forward");

      cvl_nn_fft_conv_backward (fc, dout, dw, db, din);
      cvl_nn_conv_backward_naive (&s, in, dout, w, dw_ref, db_ref, din_ref);
      assert_close (dw, dw_ref, n_w, 1e-3, 1e-4, "fft dweight");
      assert_close (db, db_ref, s.c_out, 1e-4, 1e-5, "fft dbias");
      assert_close (din, din_ref, n_in, 1e-4, 1e-4, "fft din");

      /* ReLU fused; and without din the weight gradient is the same. */
      cvl_nn_fft_conv_forward (fc, s.n, in, w, b, out, TRUE);
      for (gsize i = 0; i < n_out; i++)
        g_assert_cmpfloat_with_epsilon (out[i], MAX (out_ref[i], 0.f), 1e-4);
      cvl_nn_fft_conv_backward (fc, dout, dw, db, NULL);
      assert_close (dw, dw_ref, n_w, 1e-3, 1e-4, "fft dweight without din");

      for (float **p = (float *[]) { in, w, b, dout, out, out_ref, dw, db, din,
                                     dw_ref, db_ref, din_ref, NULL }; *p; p++)
        cvl_nn_free (*p);
    }
}

/* conv → ReLU → max-pool fused in the FFT convolution, in both pooled
 * layouts, against the naive convolution and the separate pool; and its
 * backward against the separate pool's and the naive convolution's. */
static void
test_fft_conv_pool_matches_naive (void)
{
  const struct { CvlConvShape s; int n; } cases[] = {
    { { 4, 32, 64, 14, 14, 5 }, 3 },
    { { 3, 3, 5, 10, 8, 5 }, 3 },
    { { 4, 2, 3, 14, 14, 5 }, 1 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (int flat = 0; flat < 2; flat++)
      {
        CvlConvShape s = cases[c].s;
        g_autoptr(CvlFftConv) fc = NULL;
        int oh = s.h / 2, ow = s.w / 2, n;
        gsize n_in, n_out, n_pool, n_w = (gsize) s.c_out * s.c_in * s.k * s.k;
        CvlRng rng;
        float *in, *w, *b, *out_ref, *pool_ref, *pool, *pool_fft, *dpool, *dpool_ref;
        float *dout_ref, *dw, *db, *din, *dw_ref, *db_ref, *din_ref;
        g_autofree guint8 *arg = NULL, *arg_ref = NULL;

        fc = cvl_nn_fft_conv_new (&s, NULL);
        n = s.n = cases[c].n;
        n_in = (gsize) s.c_in * n * s.h * s.w;
        n_out = (gsize) s.c_out * n * s.h * s.w;
        n_pool = (gsize) s.c_out * n * oh * ow;
        cvl_rng_init (&rng, 41 + c);
        in = random_floats (&rng, n_in, 1);
        w = random_floats (&rng, n_w, 0.5);
        b = random_floats (&rng, s.c_out, 0.5);
        dpool_ref = random_floats (&rng, n_pool, 1);
        out_ref = cvl_nn_alloc (n_out, NULL);
        dout_ref = cvl_nn_alloc (n_out, NULL);
        pool_ref = cvl_nn_alloc (n_pool, NULL);
        pool = cvl_nn_alloc (n_pool, NULL);
        pool_fft = cvl_nn_alloc (n_pool, NULL);
        dpool = cvl_nn_alloc (n_pool, NULL);
        dw = cvl_nn_alloc (n_w, NULL);
        dw_ref = cvl_nn_alloc (n_w, NULL);
        db = cvl_nn_alloc (s.c_out, NULL);
        db_ref = cvl_nn_alloc (s.c_out, NULL);
        din = cvl_nn_alloc (n_in, NULL);
        din_ref = cvl_nn_alloc (n_in, NULL);
        arg = g_malloc (n_pool);
        arg_ref = g_malloc (n_pool);

        cvl_nn_conv_forward_naive (&s, in, w, b, out_ref);
        cvl_nn_relu_forward (out_ref, out_ref, n_out);
        cvl_nn_maxpool_forward (out_ref, s.c_out * n, s.h, s.w, pool_ref, arg_ref);
        cvl_nn_fft_conv_forward_pool (fc, n, in, w, b, pool_fft, arg, flat);
        /* Back to [C,N,P] to compare. */
        for (int co = 0; co < s.c_out; co++)
          for (int i = 0; i < n; i++)
            for (int p = 0; p < oh * ow; p++)
              {
                gsize cn = ((gsize) co * n + i) * oh * ow + p;

                pool[cn] = pool_fft[flat ? ((gsize) i * s.c_out + co) * oh * ow + p : cn];
              }
        assert_close (pool, pool_ref, n_pool, 1e-4, 1e-4, "fft pooled");
        /* Near-ties may pick another winner (then the values agree anyway):
         * no gradient through those. The gradient in the fused layout: */
        for (gsize i = 0; i < n_pool; i++)
          if (arg[i] != arg_ref[i])
            dpool_ref[i] = 0.f;
        for (int co = 0; co < s.c_out; co++)
          for (int i = 0; i < n; i++)
            for (int p = 0; p < oh * ow; p++)
              {
                gsize cn = ((gsize) co * n + i) * oh * ow + p;

                dpool[flat ? ((gsize) i * s.c_out + co) * oh * ow + p : cn] = dpool_ref[cn];
              }

        cvl_nn_maxpool_relu_backward (dpool_ref, arg_ref, out_ref, s.c_out * n, s.h, s.w,
                                      dout_ref);
        cvl_nn_conv_backward_naive (&s, in, dout_ref, w, dw_ref, db_ref, din_ref);
        cvl_nn_fft_conv_backward_pool (fc, dpool, pool_fft, arg, flat, dw, db, din);
        assert_close (dw, dw_ref, n_w, 1e-3, 1e-4, "fft pooled dweight");
        assert_close (db, db_ref, s.c_out, 1e-4, 1e-4, "fft pooled dbias");
        assert_close (din, din_ref, n_in, 1e-4, 1e-4, "fft pooled din");

        for (float **p = (float *[]) { in, w, b, out_ref, dout_ref, pool_ref, pool, pool_fft,
                                       dpool, dpool_ref, dw, db, din, dw_ref, db_ref,
                                       din_ref, NULL }; *p; p++)
          cvl_nn_free (*p);
      }
}

/* The fused one-channel conv1 + ReLU + pool against the naive pieces. */
static void
test_conv1_pool_matches_naive (void)
{
  const CvlConvShape cases[] = {
    { 9, 1, 32, 28, 28, 5 },
    { 3, 1, 8, 10, 6, 3 },
    { 2, 1, 12, 8, 8, 7 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      CvlConvShape s = cases[c];
      int oh = s.h / 2, ow = s.w / 2;
      gsize n_in = (gsize) s.n * s.h * s.w, n_out = (gsize) s.c_out * s.n * s.h * s.w;
      gsize n_pool = (gsize) s.c_out * s.n * oh * ow, n_w = (gsize) s.c_out * s.k * s.k;
      CvlRng rng;
      float *in, *w, *b, *out_ref, *dout_ref, *pool, *pool_ref, *dpool;
      float *dw, *db, *dw_ref, *db_ref;
      g_autofree guint8 *arg = g_malloc (n_pool), *arg_ref = g_malloc (n_pool);

      cvl_rng_init (&rng, 61 + c);
      in = random_floats (&rng, n_in, 1);
      w = random_floats (&rng, n_w, 0.5);
      b = random_floats (&rng, s.c_out, 0.5);
      dpool = random_floats (&rng, n_pool, 1);
      out_ref = cvl_nn_alloc (n_out, NULL);
      dout_ref = cvl_nn_alloc (n_out, NULL);
      pool = cvl_nn_alloc (n_pool, NULL);
      pool_ref = cvl_nn_alloc (n_pool, NULL);
      dw = cvl_nn_alloc (n_w, NULL);
      dw_ref = cvl_nn_alloc (n_w, NULL);
      db = cvl_nn_alloc (s.c_out, NULL);
      db_ref = cvl_nn_alloc (s.c_out, NULL);

      cvl_nn_conv_forward_naive (&s, in, w, b, out_ref);
      cvl_nn_relu_forward (out_ref, out_ref, n_out);
      cvl_nn_maxpool_forward (out_ref, s.c_out * s.n, s.h, s.w, pool_ref, arg_ref);
      cvl_nn_conv1_pool_forward (&s, in, w, b, pool, arg);
      assert_close (pool, pool_ref, n_pool, 1e-5, 1e-5, "conv1 pooled");
      for (gsize i = 0; i < n_pool; i++)
        if (arg[i] != arg_ref[i])
          dpool[i] = 0.f;   /* a near-tie: either winner is right */

      cvl_nn_maxpool_relu_backward (dpool, arg_ref, out_ref, s.c_out * s.n, s.h, s.w, dout_ref);
      cvl_nn_conv_backward_naive (&s, in, dout_ref, w, dw_ref, db_ref, NULL);
      cvl_nn_conv1_pool_backward (&s, in, pool, arg, dpool, dw, db);
      assert_close (dw, dw_ref, n_w, 1e-4, 1e-5, "conv1 dweight");
      assert_close (db, db_ref, s.c_out, 1e-4, 1e-5, "conv1 dbias");

      for (float **p = (float *[]) { in, w, b, out_ref, dout_ref, pool, pool_ref, dpool, dw,
                                     db, dw_ref, db_ref, NULL }; *p; p++)
        cvl_nn_free (*p);
    }
}

/* L = Σ out·R for a fixed random R: dL/dout = R. */
static void
test_conv_gradient (void)
{
  CvlConvShape s = { 2, 2, 3, 5, 4, 3 };
  gsize n_in = (gsize) s.c_in * s.n * s.h * s.w, n_out = (gsize) s.c_out * s.n * s.h * s.w;
  gsize n_w = (gsize) s.c_out * s.c_in * s.k * s.k;
  CvlRng rng;
  float *in, *w, *b, *r, *col, *out, *dw, *db, *din;
  const double eps = 1e-2;
  struct { float *param, *grad; gsize n; } checks[3];

  cvl_rng_init (&rng, 11);
  in = random_floats (&rng, n_in, 1);
  w = random_floats (&rng, n_w, 0.5);
  b = random_floats (&rng, s.c_out, 0.5);
  r = random_floats (&rng, n_out, 1);
  col = cvl_nn_alloc (cvl_nn_conv_col_size (&s), NULL);
  out = cvl_nn_alloc (n_out, NULL);
  dw = cvl_nn_alloc (n_w, NULL);
  db = cvl_nn_alloc (s.c_out, NULL);
  din = cvl_nn_alloc (n_in, NULL);

  cvl_nn_conv_forward (&s, in, w, b, out, col, FALSE);
  cvl_nn_conv_backward (&s, r, w, dw, db, din, col);

  checks[0].param = w; checks[0].grad = dw; checks[0].n = n_w;
  checks[1].param = b; checks[1].grad = db; checks[1].n = s.c_out;
  checks[2].param = in; checks[2].grad = din; checks[2].n = n_in;
  for (int c = 0; c < 3; c++)
    for (gsize i = 0; i < checks[c].n; i++)
      {
        float saved = checks[c].param[i];
        double plus, minus, fd;

        /* The loss is linear in every parameter: differences are exact up
         * to float rounding, so the tolerance can be tight. */
        checks[c].param[i] = saved + eps;
        cvl_nn_conv_forward (&s, in, w, b, out, col, FALSE);
        plus = dot (out, r, n_out);
        checks[c].param[i] = saved - eps;
        cvl_nn_conv_forward (&s, in, w, b, out, col, FALSE);
        minus = dot (out, r, n_out);
        checks[c].param[i] = saved;
        fd = (plus - minus) / (2 * eps);
        g_assert_cmpfloat_with_epsilon (checks[c].grad[i], fd, 2e-3 + 1e-3 * fabs (fd));
      }

  for (float **p = (float *[]) { in, w, b, r, col, out, dw, db, din, NULL }; *p; p++)
    cvl_nn_free (*p);
}

/* -- Pooling, ReLU, dropout ------------------------------------------------- */

static void
test_maxpool_gradient (void)
{
  const int planes = 3, h = 4, w = 6, n_in = planes * h * w, n_out = n_in / 4;
  float in[72], out[18], r[18], din[72];
  guint8 arg[18];
  const double eps = 1e-3;
  CvlRng rng;

  cvl_rng_init (&rng, 3);
  /* Distinct values at least 0.01 apart, so ±eps never changes a winner. */
  for (int i = 0; i < n_in; i++)
    in[i] = (float) i * 0.01f;
  for (int i = n_in; i > 1; i--)
    {
      int j = cvl_rng_below (&rng, i);
      float t = in[i - 1];

      in[i - 1] = in[j];
      in[j] = t;
    }
  for (int i = 0; i < n_out; i++)
    r[i] = (float) (2 * cvl_rng_uniform (&rng) - 1);

  cvl_nn_maxpool_forward (in, planes, h, w, out, arg);
  cvl_nn_maxpool_backward (r, arg, planes, h, w, din);

  /* The fused ReLU + pool backward equals the two passes in turn. */
  {
    float y[72], fused[72], two[72];

    for (int i = 0; i < n_in; i++)
      y[i] = MAX (in[i] - 0.3f, 0.f);
    cvl_nn_maxpool_forward (y, planes, h, w, out, arg);
    cvl_nn_maxpool_relu_backward (r, arg, y, planes, h, w, fused);
    cvl_nn_maxpool_backward (r, arg, planes, h, w, two);
    cvl_nn_relu_backward (y, two, two, n_in);
    g_assert_cmpmem (fused, sizeof fused, two, sizeof two);
    cvl_nn_maxpool_forward (in, planes, h, w, out, arg);
  }
  for (int i = 0; i < n_in; i++)
    {
      float saved = in[i];
      double plus, minus;

      in[i] = saved + eps;
      cvl_nn_maxpool_forward (in, planes, h, w, out, arg);
      plus = dot (out, r, n_out);
      in[i] = saved - eps;
      cvl_nn_maxpool_forward (in, planes, h, w, out, arg);
      minus = dot (out, r, n_out);
      in[i] = saved;
      g_assert_cmpfloat_with_epsilon (din[i], (plus - minus) / (2 * eps), 1e-3);
    }
}

static void
test_relu_gradient (void)
{
  float x[64], y[64], r[64], dx[64];
  const double eps = 1e-3;
  CvlRng rng;

  cvl_rng_init (&rng, 5);
  for (int i = 0; i < 64; i++)
    {
      /* Away from the kink at 0. */
      x[i] = (float) ((0.1 + cvl_rng_uniform (&rng)) * (i % 2 ? 1 : -1));
      r[i] = (float) (2 * cvl_rng_uniform (&rng) - 1);
    }
  cvl_nn_relu_forward (x, y, 64);
  cvl_nn_relu_backward (y, r, dx, 64);
  for (int i = 0; i < 64; i++)
    {
      float saved = x[i];
      double plus, minus;

      x[i] = saved + eps;
      cvl_nn_relu_forward (x, y, 64);
      plus = dot (y, r, 64);
      x[i] = saved - eps;
      cvl_nn_relu_forward (x, y, 64);
      minus = dot (y, r, 64);
      x[i] = saved;
      g_assert_cmpfloat_with_epsilon (dx[i], (plus - minus) / (2 * eps), 1e-3);
    }
}

static void
test_dropout (void)
{
  const gsize n = 100000;
  float *x = cvl_nn_alloc (n, NULL), *y = cvl_nn_alloc (n, NULL);
  float *mask = cvl_nn_alloc (n, NULL), *dx = cvl_nn_alloc (n, NULL);
  CvlRng rng;
  gsize kept = 0;
  double mean = 0;

  cvl_rng_init (&rng, 9);
  for (gsize i = 0; i < n; i++)
    x[i] = 1.f;
  cvl_nn_dropout_forward (x, y, mask, n, 0.75f, &rng);
  for (gsize i = 0; i < n; i++)
    {
      kept += mask[i] != 0.f;
      mean += y[i];
      g_assert_true (y[i] == 0.f || fabsf (y[i] - 1.f / 0.75f) < 1e-6f);
    }
  /* Inverted dropout keeps the expectation: mean ≈ 1, 75 % kept. */
  g_assert_cmpfloat_with_epsilon ((double) kept / n, 0.75, 0.01);
  g_assert_cmpfloat_with_epsilon (mean / n, 1.0, 0.015);
  cvl_nn_dropout_backward (x, mask, dx, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (dx[i], mask[i], 1e-7);

  /* keep = 1 is the identity (evaluation). */
  cvl_nn_dropout_forward (x, y, mask, n, 1.f, &rng);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (y[i], 1.0, 1e-7);

  cvl_nn_free (x);
  cvl_nn_free (y);
  cvl_nn_free (mask);
  cvl_nn_free (dx);
}

/* -- Dense and softmax cross-entropy ---------------------------------------- */

static void
test_dense_gradient (void)
{
  const int n = 3, in = 5, out = 4;
  CvlRng rng;
  float *x, *w, *b, *r, *y, *dw, *db, *dx;
  const double eps = 1e-2;
  struct { float *param, *grad; int n; } checks[3];

  cvl_rng_init (&rng, 13);
  x = random_floats (&rng, n * in, 1);
  w = random_floats (&rng, out * in, 1);
  b = random_floats (&rng, out, 1);
  r = random_floats (&rng, n * out, 1);
  y = cvl_nn_alloc (n * out, NULL);
  dw = cvl_nn_alloc (out * in, NULL);
  db = cvl_nn_alloc (out, NULL);
  dx = cvl_nn_alloc (n * in, NULL);

  cvl_nn_dense_backward (n, in, out, x, w, r, dw, db, dx);
  checks[0].param = w; checks[0].grad = dw; checks[0].n = out * in;
  checks[1].param = b; checks[1].grad = db; checks[1].n = out;
  checks[2].param = x; checks[2].grad = dx; checks[2].n = n * in;
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < checks[c].n; i++)
      {
        float saved = checks[c].param[i];
        double plus, minus;

        checks[c].param[i] = saved + eps;
        cvl_nn_dense_forward (n, in, out, x, w, b, y);
        plus = dot (y, r, n * out);
        checks[c].param[i] = saved - eps;
        cvl_nn_dense_forward (n, in, out, x, w, b, y);
        minus = dot (y, r, n * out);
        checks[c].param[i] = saved;
        g_assert_cmpfloat_with_epsilon (checks[c].grad[i], (plus - minus) / (2 * eps), 1e-3);
      }

  /* Batch 1 takes the sgemv path: same numbers. */
  {
    float y1[4], yn[12];

    cvl_nn_dense_forward (n, in, out, x, w, b, yn);
    cvl_nn_dense_forward (1, in, out, x + in, w, b, y1);
    assert_close (y1, yn + out, out, 1e-5, 1e-5, "batch-1 dense");
  }

  for (float **p = (float *[]) { x, w, b, r, y, dw, db, dx, NULL }; *p; p++)
    cvl_nn_free (*p);
}

static void
test_softmax_xent_gradient (void)
{
  const int n = 4, k = 10;
  float logits[40], dlogits[40], probs[40];
  guint8 labels[4] = { 3, 0, 9, 3 };
  const double eps = 1e-3;
  double loss, plus, minus;
  int correct;
  CvlRng rng;

  cvl_rng_init (&rng, 17);
  for (int i = 0; i < n * k; i++)
    logits[i] = (float) (4 * cvl_rng_uniform (&rng) - 2);
  loss = cvl_nn_softmax_xent (n, k, logits, labels, probs, dlogits, &correct);
  g_assert_true (isfinite (loss));
  for (int r = 0; r < n; r++)
    {
      double sum = 0;

      for (int j = 0; j < k; j++)
        sum += probs[r * k + j];
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
    }
  g_assert_cmpint (correct, >=, 0);

  for (int i = 0; i < n * k; i++)
    {
      float saved = logits[i];

      logits[i] = saved + eps;
      plus = cvl_nn_softmax_xent (n, k, logits, labels, NULL, NULL, NULL);
      logits[i] = saved - eps;
      minus = cvl_nn_softmax_xent (n, k, logits, labels, NULL, NULL, NULL);
      logits[i] = saved;
      g_assert_cmpfloat_with_epsilon (dlogits[i], (plus - minus) / (2 * eps), 1e-4);
    }

  /* Big logits must not overflow: the softmax subtracts the row's max. */
  logits[5] = 500.f;
  g_assert_true (isfinite (cvl_nn_softmax_xent (n, k, logits, labels, NULL, dlogits, NULL)));
  g_assert_true (isfinite (dlogits[5]));

  /* A known case: uniform logits give log(10). */
  memset (logits, 0, sizeof logits);
  g_assert_cmpfloat_with_epsilon (cvl_nn_softmax_xent (n, k, logits, labels, NULL, NULL, NULL),
                                  log (10.0), 1e-6);
}

/* -- Optimisers ------------------------------------------------------------- */

static void
test_adam_known (void)
{
  /* g = 0.5 every step: m̂ = g and v̂ = g², so each step moves by lr. */
  float p[1] = { 1.f }, g[1] = { 0.5f }, m[1] = { 0 }, v[1] = { 0 };

  cvl_nn_adam_step (p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 1);
  g_assert_cmpfloat_with_epsilon (m[0], 0.05, 1e-7);
  g_assert_cmpfloat_with_epsilon (v[0], 0.00025, 1e-9);
  g_assert_cmpfloat_with_epsilon (p[0], 0.9, 1e-6);
  cvl_nn_adam_step (p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 2);
  g_assert_cmpfloat_with_epsilon (m[0], 0.095, 1e-7);
  g_assert_cmpfloat_with_epsilon (v[0], 0.00049975, 1e-9);
  g_assert_cmpfloat_with_epsilon (p[0], 0.8, 1e-6);

  /* A gradient that flips sign: step 2 by PyTorch's formula, by hand.
   * m = 0.9·0.05 − 0.1·0.5 = −0.005, v = 0.00049975,
   * p = 0.9 − 0.1/0.19 · (−0.005) / (√0.00049975 / √0.001999 + 1e-8). */
  p[0] = 1.f; m[0] = v[0] = 0;
  cvl_nn_adam_step (p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 1);
  g[0] = -0.5f;
  cvl_nn_adam_step (p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 2);
  g_assert_cmpfloat_with_epsilon (p[0],
                                  0.9 + 0.1 / 0.19 * 0.005 /
                                  (sqrt (0.00049975) / sqrt (1 - 0.999 * 0.999) + 1e-8),
                                  1e-6);
}

static void
test_sgd_momentum (void)
{
  float p[1] = { 1.f }, g[1] = { 0.5f }, vel[1] = { 0 };

  cvl_nn_sgd_step (p, g, vel, 1, 0.1, 0.9);
  g_assert_cmpfloat_with_epsilon (p[0], 0.95, 1e-7);
  cvl_nn_sgd_step (p, g, vel, 1, 0.1, 0.9);
  /* v = 0.9·0.5 + 0.5 = 0.95 */
  g_assert_cmpfloat_with_epsilon (vel[0], 0.95, 1e-7);
  g_assert_cmpfloat_with_epsilon (p[0], 0.855, 1e-6);
}

static void
test_rng (void)
{
  CvlRng a, b;
  guint32 items[100], seen[100] = { 0 };
  double sum = 0;

  cvl_rng_init (&a, 42);
  cvl_rng_init (&b, 42);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpuint (cvl_rng_next (&a), ==, cvl_rng_next (&b));
  cvl_rng_init_stream (&a, 42, 1);
  cvl_rng_init_stream (&b, 42, 2);
  g_assert_cmpuint (cvl_rng_next (&a), !=, cvl_rng_next (&b));

  for (int i = 0; i < 10000; i++)
    sum += cvl_rng_normal (&a);
  g_assert_cmpfloat_with_epsilon (sum / 10000, 0.0, 0.05);

  for (guint32 i = 0; i < 100; i++)
    items[i] = i;
  cvl_rng_shuffle (&a, items, 100);
  for (int i = 0; i < 100; i++)
    seen[items[i]]++;
  for (int i = 0; i < 100; i++)
    g_assert_cmpuint (seen[i], ==, 1);
}

/* -- The whole network ------------------------------------------------------ */

/* Class c: a bright vertical bar at column 3 + 2c, with noise. */
static void
synthetic_digits (CvlRng *rng,
                  int     n,
                  float  *images,
                  guint8 *labels)
{
  for (int i = 0; i < n; i++)
    {
      float *img = images + (gsize) i * 784;
      int c = i % 10;

      labels[i] = c;
      for (int p = 0; p < 784; p++)
        img[p] = (float) (0.1 * cvl_rng_uniform (rng));
      for (int y = 4; y < 24; y++)
        img[y * 28 + 3 + 2 * c] = 1.f;
    }
}

static void
test_net_gradient (void)
{
  g_autoptr(CvlNet) net = cvl_net_new (3);
  g_autoptr(CvlNetWorkspace) ws = cvl_net_workspace_new (2, TRUE, NULL);
  float *params = cvl_net_get_params (net);
  float *grads = cvl_nn_alloc (cvl_net_n_params (), NULL);
  float images[2 * 784];
  guint8 labels[2];
  const double eps[] = { 3e-4, 1e-4, 3e-5 };
  CvlRng rng, drop;
  int correct, checked = 0;

  cvl_rng_init (&rng, 5);
  synthetic_digits (&rng, 2, images, labels);
  labels[1] = 7;
  cvl_rng_init (&drop, 1);
  /* keep = 1: no dropout, so the loss is a function of the weights alone. */
  cvl_net_train_batch (net, ws, images, labels, 2, 1.f, &drop, grads, &correct);

  for (guint t = 0; t < CVL_NET_N_TENSORS; t++)
    {
      const CvlNetTensorInfo *info = cvl_net_tensor_info (t);

      /* The largest gradients of each tensor, and a few at random. */
      for (int k = 0; k < 6; k++)
        {
          gsize i = 0;
          float saved;
          double plus, minus, fd, an;
          const float *z;

          if (k < 3)
            {
              /* The k-th largest |grad|. */
              float bound = G_MAXFLOAT;

              for (int r = 0; r <= k; r++)
                {
                  float best = -1;

                  for (gsize j = 0; j < info->size; j++)
                    {
                      float a = fabsf (grads[info->offset + j]);

                      if (a > best && a < bound)
                        {
                          best = a;
                          i = j;
                        }
                    }
                  bound = best;
                }
            }
          else
            i = cvl_rng_below (&rng, info->size);

          an = grads[info->offset + i];
          saved = params[info->offset + i];
          /* Float32 through five layers, and thousands of ReLU and max-pool
           * kinks that a conv bias moves all at once: the differences carry
           * ~5e-4 of noise (shrinking with eps, measured), and a step can
           * cross a kink (then a smaller one converges on the gradient).
           * Each layer alone is checked tightly above. */
          fd = G_MAXDOUBLE;
          for (guint e = 0; e < G_N_ELEMENTS (eps) && fabs (fd - an) > 1e-3 + 0.05 * fabs (an);
               e++)
            {
              params[info->offset + i] = saved + eps[e];
              z = cvl_net_forward (net, ws, images, 2, 1.f, NULL);
              plus = cvl_nn_softmax_xent (2, 10, z, labels, NULL, NULL, NULL);
              params[info->offset + i] = saved - eps[e];
              z = cvl_net_forward (net, ws, images, 2, 1.f, NULL);
              minus = cvl_nn_softmax_xent (2, 10, z, labels, NULL, NULL, NULL);
              params[info->offset + i] = saved;
              fd = (plus - minus) / (2 * eps[e]);
            }
          if (fabs (fd - an) > 1e-3 + 0.05 * fabs (an))
            g_error ("%s[%" G_GSIZE_FORMAT "]: backward %.6g, finite differences %.6g",
                     info->name, i, an, fd);
          checked++;
        }
    }
  g_assert_cmpint (checked, ==, 6 * CVL_NET_N_TENSORS);
  cvl_nn_free (grads);
}

static void
test_net_learns (void)
{
  g_autoptr(CvlNet) net = cvl_net_new (1);
  g_autoptr(CvlNetWorkspace) ws = cvl_net_workspace_new (20, TRUE, NULL);
  gsize n_params = cvl_net_n_params ();
  float *grads = cvl_nn_alloc (n_params, NULL);
  float *m = cvl_nn_alloc (n_params, NULL), *v = cvl_nn_alloc (n_params, NULL);
  float *images = cvl_nn_alloc (20 * 784, NULL);
  guint8 labels[20];
  double first = 0, last = 0;
  CvlRng rng;
  int correct;

  memset (m, 0, n_params * sizeof (float));
  memset (v, 0, n_params * sizeof (float));
  cvl_rng_init (&rng, 2);
  synthetic_digits (&rng, 20, images, labels);
  for (int step = 1; step <= 15; step++)
    {
      double loss = cvl_net_train_batch (net, ws, images, labels, 20, 0.75f, &rng,
                                         grads, &correct);

      cvl_nn_adam_step (cvl_net_get_params (net), grads, m, v, n_params,
                        1e-3, 0.9, 0.999, 1e-8, step);
      if (step == 1)
        first = loss;
      last = loss;
    }
  g_test_message ("loss %.4f → %.4f", first, last);
  g_assert_cmpfloat (first, >, 1.0);
  g_assert_cmpfloat (last, <, 0.25 * first);

  {
    float probs[20 * 10];
    int right = 0;

    cvl_net_predict (net, images, 20, probs);
    for (int i = 0; i < 20; i++)
      {
        int best = 0;

        for (int j = 1; j < 10; j++)
          if (probs[i * 10 + j] > probs[i * 10 + best])
            best = j;
        right += best == labels[i];
      }
    g_assert_cmpint (right, ==, 20);
  }

  cvl_nn_free (grads);
  cvl_nn_free (m);
  cvl_nn_free (v);
  cvl_nn_free (images);
}

static void
test_predict_deterministic (void)
{
  g_autoptr(CvlNet) net = cvl_net_new (4);
  g_autoptr(CvlNet) copy = NULL;
  float images[5 * 784], a[50], b[50], one[10];
  guint8 labels[5];
  CvlRng rng;

  cvl_rng_init (&rng, 8);
  synthetic_digits (&rng, 5, images, labels);
  cvl_net_predict (net, images, 5, a);
  cvl_net_predict (net, images, 5, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  copy = cvl_net_copy (net);
  cvl_net_predict (copy, images, 5, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);

  for (int i = 0; i < 5; i++)
    {
      double sum = 0;

      cvl_net_predict (net, images + i * 784, 1, one);
      assert_close (one, a + i * 10, 10, 1e-6, 1e-4, "batch-1 probabilities");
      for (int j = 0; j < 10; j++)
        sum += one[j];
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
    }

  /* Same seed, same weights; another seed, others. */
  {
    g_autoptr(CvlNet) same = cvl_net_new (4);
    g_autoptr(CvlNet) other = cvl_net_new (5);
    gsize bytes = cvl_net_n_params () * sizeof (float);

    g_assert_cmpmem (cvl_net_peek_params (same), bytes, cvl_net_peek_params (net), bytes);
    g_assert_true (memcmp (cvl_net_peek_params (other), cvl_net_peek_params (net), bytes) != 0);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cvl_nn_set_threads (2);

  g_test_add_func ("/core/nn/rng", test_rng);
  g_test_add_func ("/core/nn/conv-matches-naive", test_conv_matches_naive);
  g_test_add_func ("/core/nn/conv-gradient", test_conv_gradient);
  g_test_add_func ("/core/nn/conv1-pool-matches-naive", test_conv1_pool_matches_naive);
  g_test_add_func ("/core/nn/fft-conv-matches-naive", test_fft_conv_matches_naive);
  g_test_add_func ("/core/nn/fft-conv-pool-matches-naive", test_fft_conv_pool_matches_naive);
  g_test_add_func ("/core/nn/maxpool-gradient", test_maxpool_gradient);
  g_test_add_func ("/core/nn/relu-gradient", test_relu_gradient);
  g_test_add_func ("/core/nn/dropout", test_dropout);
  g_test_add_func ("/core/nn/dense-gradient", test_dense_gradient);
  g_test_add_func ("/core/nn/softmax-xent-gradient", test_softmax_xent_gradient);
  g_test_add_func ("/core/nn/adam-known", test_adam_known);
  g_test_add_func ("/core/nn/sgd-momentum", test_sgd_momentum);
  g_test_add_func ("/core/nn/net-gradient", test_net_gradient);
  g_test_add_func ("/core/nn/net-learns", test_net_learns);
  g_test_add_func ("/core/nn/predict-deterministic", test_predict_deterministic);

  return g_test_run ();
}
