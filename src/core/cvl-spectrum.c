/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The magnitude of a kernel's 2-D DFT for display: one real-to-complex FFTW
 * transform of the zero-padded kernel, unfolded by Hermitian symmetry into a
 * centred n × n picture. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <fftw3.h>

#include "cvl-error.h"
#include "cvl-fftw.h"
#include "cvl-spectrum.h"

#define SPECTRUM_MAX_N 1024

void
cvl_spectrum_free (CvlSpectrum *spectrum)
{
  if (spectrum == NULL)
    return;

  g_clear_pointer (&spectrum->magnitude, cvl_image_free);
  g_free (spectrum);
}

/* |H| at every r2c output bin: [n, n/2 + 1], divisor applied. */
static gboolean
transform (const CvlKernel *kernel,
           int              n,
           float           *gains)
{
  int half = n / 2 + 1;
  float *in = fftwf_alloc_real ((gsize) n * n);
  fftwf_complex *out = fftwf_alloc_complex ((gsize) n * half);
  fftwf_plan plan = NULL;
  /* the centre tap (TensorFlow's, as for the identity kernel) goes to the
   * origin, so H is real for symmetric kernels and the phase never shows */
  int cy = (kernel->height - 1) / 2, cx = (kernel->width - 1) / 2;
  float scale = 1 / fabsf (kernel->divisor);

  if (in != NULL && out != NULL)
    {
      /* FFTW_ESTIMATE leaves the arrays alone while planning. */
      cvl_fftw_lock ();
      plan = fftwf_plan_dft_r2c_2d (n, n, in, out, FFTW_ESTIMATE);
      cvl_fftw_unlock ();
    }
  if (plan == NULL)
    {
      fftwf_free (in);
      fftwf_free (out);
      return FALSE;
    }

  memset (in, 0, sizeof (float) * n * n);
  for (int r = 0; r < kernel->height; r++)
    for (int c = 0; c < kernel->width; c++)
      {
        int y = (r - cy + n) % n, x = (c - cx + n) % n;

        in[(gsize) y * n + x] = cvl_kernel_get (kernel, r, c);
      }

  fftwf_execute (plan);
  for (gsize i = 0; i < (gsize) n * half; i++)
    gains[i] = hypotf (out[i][0], out[i][1]) * scale;

  cvl_fftw_lock ();
  fftwf_destroy_plan (plan);
  cvl_fftw_unlock ();
  fftwf_free (in);
  fftwf_free (out);
  return TRUE;
}

CvlSpectrum *
cvl_kernel_spectrum (const CvlKernel  *kernel,
                     int               n,
                     gboolean          log_scale,
                     GError          **error)
{
  g_autoptr(CvlSpectrum) spectrum = NULL;
  g_autofree float *gains = NULL;
  int half = n / 2 + 1, centre = n / 2;
  float *dst;
  float max_gain = 0, norm;

  g_return_val_if_fail (kernel != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n < MAX (kernel->width, kernel->height) || n > SPECTRUM_MAX_N)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "The spectrum of a %d×%d kernel needs a size from %d to %d, not %d",
                   kernel->width, kernel->height, MAX (kernel->width, kernel->height),
                   SPECTRUM_MAX_N, n);
      return NULL;
    }

  spectrum = g_new0 (CvlSpectrum, 1);
  spectrum->magnitude = cvl_image_new (n, n, 1, error);
  if (spectrum->magnitude == NULL)
    return NULL;

  gains = g_new (float, (gsize) n * half);
  if (!transform (kernel, n, gains))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "Not enough memory for the spectrum of a %d×%d kernel",
                   kernel->width, kernel->height);
      return NULL;
    }

  /* Output pixel (y, x) shows frequency (y − n/2, x − n/2); r2c holds only
   * the bins with fx ≤ n/2, the others are |H(−f)| = |H(f)|. */
  dst = spectrum->magnitude->data;
  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      {
        int fy = ((y - centre) % n + n) % n, fx = ((x - centre) % n + n) % n;
        float gain;

        if (fx < half)
          gain = gains[(gsize) fy * half + fx];
        else
          gain = gains[(gsize) ((n - fy) % n) * half + (n - fx)];
        dst[(gsize) y * n + x] = gain;
        max_gain = MAX (max_gain, gain);
      }

  spectrum->max_gain = max_gain;
  spectrum->dc_gain = gains[0];

  if (max_gain > 0)
    {
      norm = log_scale ? 1 / log1pf (max_gain) : 1 / max_gain;
      for (gsize i = 0; i < (gsize) n * n; i++)
        dst[i] = MIN ((log_scale ? log1pf (dst[i]) : dst[i]) * norm, 1.0f);
    }

  return g_steal_pointer (&spectrum);
}
