/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kernel spectrum tests: known responses (identity flat, box low-pass,
 * Laplacian high-pass), the centring and scaling of the picture, and every
 * bin against a plain DFT written out in doubles. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-kernel-gen.h"
#include "cvl-spectrum.h"

static float
pixel (const CvlSpectrum *s,
       int                y,
       int                x)
{
  return s->magnitude->data[(gsize) y * s->magnitude->width + x];
}

static CvlSpectrum *
spectrum (const CvlKernel *k,
          int              n,
          gboolean         log_scale)
{
  g_autoptr(GError) error = NULL;
  CvlSpectrum *s = cvl_kernel_spectrum (k, n, log_scale, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_assert_cmpint (s->magnitude->width, ==, n);
  g_assert_cmpint (s->magnitude->height, ==, n);
  g_assert_cmpint (s->magnitude->channels, ==, 1);
  return s;
}

/* |H| at the frequency shown by pixel (y, x), as a plain DFT with the centre
 * tap at the origin, divisor applied. */
static double
reference_gain (const CvlKernel *k,
                int              n,
                int              y,
                int              x)
{
  int cy = (k->height - 1) / 2, cx = (k->width - 1) / 2;
  double re = 0, im = 0;

  for (int r = 0; r < k->height; r++)
    for (int c = 0; c < k->width; c++)
      {
        double phase = -2 * G_PI * ((double) (y - n / 2) * (r - cy)
                                    + (double) (x - n / 2) * (c - cx)) / n;

        re += cvl_kernel_get (k, r, c) * cos (phase);
        im += cvl_kernel_get (k, r, c) * sin (phase);
      }

  return hypot (re, im) / fabs (k->divisor);
}

static void
test_identity_flat (void)
{
  static const int sides[][3] = { { 1, 1, 8 }, { 3, 3, 64 }, { 4, 2, 16 }, { 5, 5, 7 } };

  for (gsize i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      g_autoptr(CvlKernel) k = cvl_kernel_new_identity (sides[i][0], sides[i][1]);
      g_autoptr(CvlSpectrum) s = spectrum (k, sides[i][2], FALSE);

      g_assert_cmpfloat_with_epsilon (s->max_gain, 1, 1e-6);
      g_assert_cmpfloat_with_epsilon (s->dc_gain, 1, 1e-6);
      for (int j = 0; j < sides[i][2] * sides[i][2]; j++)
        g_assert_cmpfloat_with_epsilon (s->magnitude->data[j], 1, 1e-6);
    }
}

static void
test_box_low_pass (void)
{
  g_autoptr(CvlKernel) k = cvl_kernel_parse ("1 1 1 1 1", NULL);
  g_autoptr(CvlKernel) box = cvl_kernel_parse_generator ("box:size=5", NULL);
  g_autoptr(CvlSpectrum) s = NULL;
  g_autoptr(CvlSpectrum) s2 = NULL;
  int n = 64, c = n / 2;

  /* 1×5 of ones over 5: a horizontal low-pass, flat vertically */
  cvl_kernel_set_divisor (k, 5, NULL);
  s = spectrum (k, n, FALSE);
  g_assert_cmpfloat_with_epsilon (s->dc_gain, 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (s->max_gain, 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (pixel (s, c, c), 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (pixel (s, 0, c), 1, 1e-6);
  /* at Nyquist sin(5π/2) / (5·sin(π/2)) = 1/5 */
  g_assert_cmpfloat_with_epsilon (pixel (s, c, 0), 0.2, 1e-5);
  /* falls from DC to the first zero at 1/5 of the sampling rate */
  for (int x = c; x < c + n / 5; x++)
    g_assert_cmpfloat (pixel (s, c, x + 1), <, pixel (s, c, x));

  /* the 5×5 box: DC the brightest, corners (both Nyquists) at (1/5)² */
  s2 = spectrum (box, n, FALSE);
  g_assert_cmpfloat_with_epsilon (s2->dc_gain, 1, 1e-5);
  g_assert_cmpfloat_with_epsilon (pixel (s2, c, c), 1, 1e-5);
  g_assert_cmpfloat_with_epsilon (pixel (s2, 0, 0), 0.04, 1e-5);
  for (int j = 0; j < n * n; j++)
    g_assert_cmpfloat (s2->magnitude->data[j], <=, 1);
}

static void
test_laplacian_high_pass (void)
{
  g_autoptr(CvlKernel) edge = cvl_kernel_new_preset ("edge", NULL);
  g_autoptr(CvlSpectrum) s = NULL;
  g_autoptr(CvlSpectrum) odd = NULL;
  int n = 32, c = n / 2;

  /* H = −4 + 2cos ωx + 2cos ωy: 0 at DC, −8 at (π, π) */
  s = spectrum (edge, n, FALSE);
  g_assert_cmpfloat_with_epsilon (s->dc_gain, 0, 1e-6);
  g_assert_cmpfloat_with_epsilon (s->max_gain, 8, 1e-5);
  g_assert_cmpfloat_with_epsilon (pixel (s, c, c), 0, 1e-6);
  g_assert_cmpfloat_with_epsilon (pixel (s, 0, 0), 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (pixel (s, c, 0), 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (pixel (s, 0, c), 0.5, 1e-6);

  /* odd n has no Nyquist bin: the corners come close */
  odd = spectrum (edge, 31, FALSE);
  g_assert_cmpfloat_with_epsilon (pixel (odd, 15, 15), 0, 1e-6);
  g_assert_cmpfloat (pixel (odd, 0, 0), >, 0.95);
}

static void
test_matches_dft (void)
{
  g_autoptr(CvlKernel) k = cvl_kernel_new (5, 7, NULL);
  g_autoptr(CvlKernel) motion = cvl_kernel_parse_generator ("motion:len=9,angle=30", NULL);
  GRand *rand = g_rand_new_with_seed (7);
  static const int sizes[] = { 7, 8, 9, 16 };

  for (int i = 0; i < 35; i++)
    k->values[i] = g_rand_double_range (rand, -1, 1);
  cvl_kernel_set_divisor (k, -2.5, NULL);
  g_rand_free (rand);

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      int n = sizes[i];
      g_autoptr(CvlSpectrum) s = spectrum (k, n, FALSE);
      g_autoptr(CvlSpectrum) m = spectrum (motion, n + 2, FALSE);
      double max = 0;

      for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
          {
            double expected = reference_gain (k, n, y, x);

            max = MAX (max, expected);
            g_assert_cmpfloat_with_epsilon (pixel (s, y, x) * s->max_gain, expected, 1e-5);
          }
      g_assert_cmpfloat_with_epsilon (s->max_gain, max, 1e-5);
      g_assert_cmpfloat_with_epsilon (s->dc_gain, fabs (cvl_kernel_sum (k) / -2.5), 1e-6);

      for (int y = 0; y < n + 2; y++)
        for (int x = 0; x < n + 2; x++)
          g_assert_cmpfloat_with_epsilon (pixel (m, y, x) * m->max_gain,
                                          reference_gain (motion, n + 2, y, x), 1e-5);
    }
}

static void
test_dc_gain (void)
{
  g_autoptr(CvlKernel) k = cvl_kernel_parse ("1 2; 3 4", NULL);
  g_autoptr(CvlKernel) unsharp = cvl_kernel_parse_generator ("unsharp:amount=3", NULL);
  g_autoptr(CvlKernel) log = cvl_kernel_parse_generator ("log:sigma=2", NULL);
  g_autoptr(CvlSpectrum) s = NULL;
  g_autoptr(CvlSpectrum) u = NULL;
  g_autoptr(CvlSpectrum) l = NULL;

  cvl_kernel_set_divisor (k, 5, NULL);
  s = spectrum (k, 4, FALSE);
  g_assert_cmpfloat_with_epsilon (s->dc_gain, 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (s->max_gain, 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (pixel (s, 2, 2), 1, 1e-6);

  /* unsharp: passes DC, boosts high frequencies up to 1 + amount */
  u = spectrum (unsharp, 64, FALSE);
  g_assert_cmpfloat_with_epsilon (u->dc_gain, 1, 1e-5);
  g_assert_cmpfloat_with_epsilon (u->max_gain, 4, 0.01);

  l = spectrum (log, 64, FALSE);
  g_assert_cmpfloat_with_epsilon (l->dc_gain, 0, 1e-5);
}

static void
test_log_scale (void)
{
  g_autoptr(CvlKernel) k = cvl_kernel_parse_generator ("gaussian:sigma=3", NULL);
  g_autoptr(CvlSpectrum) lin = spectrum (k, 64, FALSE);
  g_autoptr(CvlSpectrum) lg = spectrum (k, 64, TRUE);

  g_assert_cmpfloat_with_epsilon (lin->max_gain, lg->max_gain, 1e-7);
  for (int j = 0; j < 64 * 64; j++)
    {
      double gain = lin->magnitude->data[j] * lin->max_gain;

      g_assert_cmpfloat_with_epsilon (lg->magnitude->data[j],
                                      log1p (gain) / log1p (lg->max_gain), 1e-5);
      g_assert_cmpfloat (lg->magnitude->data[j], >=, lin->magnitude->data[j] - 1e-6);
    }
}

static void
test_large_and_refused (void)
{
  g_autoptr(CvlKernel) big = cvl_kernel_parse_generator ("disk:r=127", NULL);
  g_autoptr(CvlKernel) k = cvl_kernel_new_identity (9, 3);
  g_autoptr(CvlSpectrum) s = NULL;
  g_autoptr(GError) error = NULL;

  s = spectrum (big, 256, TRUE);
  g_assert_cmpfloat_with_epsilon (s->dc_gain, 1, 1e-4);
  g_assert_cmpfloat_with_epsilon (pixel (s, 128, 128), 1, 1e-6);
  g_clear_pointer (&s, cvl_spectrum_free);
  s = spectrum (big, 1024, FALSE);
  g_clear_pointer (&s, cvl_spectrum_free);
  s = spectrum (k, 9, FALSE);
  g_clear_pointer (&s, cvl_spectrum_free);

  g_assert_null (cvl_kernel_spectrum (k, 8, FALSE, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cvl_kernel_spectrum (big, 254, FALSE, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cvl_kernel_spectrum (k, 1025, FALSE, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "1024"));
}

/* Several threads at once: planning is serialised by cvl_fftw_lock(). */
static gpointer
spectrum_thread (gpointer data)
{
  g_autoptr(CvlKernel) k = cvl_kernel_parse_generator ("gaussian:sigma=4", NULL);

  for (int i = 0; i < 20; i++)
    {
      g_autoptr(CvlSpectrum) s = cvl_kernel_spectrum (k, 32 + 8 * (i % 5), TRUE, NULL);

      if (s == NULL || fabsf (s->dc_gain - 1) > 1e-4f)
        return GINT_TO_POINTER (1);
    }
  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[4];

  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("spectrum", spectrum_thread, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_null (g_thread_join (threads[i]));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/spectrum/identity-flat", test_identity_flat);
  g_test_add_func ("/core/spectrum/box-low-pass", test_box_low_pass);
  g_test_add_func ("/core/spectrum/laplacian-high-pass", test_laplacian_high_pass);
  g_test_add_func ("/core/spectrum/matches-dft", test_matches_dft);
  g_test_add_func ("/core/spectrum/dc-gain", test_dc_gain);
  g_test_add_func ("/core/spectrum/log-scale", test_log_scale);
  g_test_add_func ("/core/spectrum/large-and-refused", test_large_and_refused);
  g_test_add_func ("/core/spectrum/threads", test_threads);

  return g_test_run ();
}
