/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SAME convolution by FFT for the convnet's second layer (14×14 maps, 5×5
 * kernels, 32 → 64 channels), where im2col + sgemm spent 70% of an epoch:
 * per frequency one small complex product across channels replaces 25 taps. */
#include "config.h"

#include <string.h>

#include <cblas.h>
#include <fftw3.h>

#include "cvl-error.h"
#include "cvl-fftw.h"
#include "cvl-nn.h"
#include "cvl-parallel.h"

/* Planes per FFTW call; a block's spectra scatter as runs of 8 complex. */
#define BLOCK     8
#define MAX_TASKS 16

/* A plane of h×w sits at the top left of an fh×fw grid, fh = h + k/2, zero
 * elsewhere. The cyclic convolution on that grid equals the SAME one on the
 * h×w outputs: the taps that fall off one edge wrap onto the k/2 zero rows
 * and columns, which serve as padding for both edges.
 *
 * Spectra are stored frequency-major, [F][planes] complex with F = fh ×
 * (fw/2 + 1), so each frequency's product is one cgemm:
 *   X  [F][Ci][N]   the input's (kept from forward for the weight gradient)
 *   Y  [F][Co][N]   the output's, then dout's
 *   W  [F][Co][Ci]  the kernels', embedded flipped and scaled by 1/(fh·fw)
 *   dW [F][Co][Ci]  */
struct _CvlFftConv
{
  CvlConvShape  s;        /* s.n: capacity */
  int           fh, fw, fwc, freqs, grid, half;   /* grid = fh·fw, half = fh·fwc */
  fftwf_plan    r2c, r2c1, c2r, c2r1;            /* BLOCK planes, one plane */
  float        *x, *y, *wf, *dwf;                /* complex as float pairs */
  float        *w_seen;                          /* the kernels behind wf */
  gboolean      wf_valid;
  float        *real[MAX_TASKS];                 /* BLOCK grids */
  float        *spec[MAX_TASKS];                 /* BLOCK half-spectra */
  int           n;                               /* batch of the last forward */
};

void
cvl_nn_fft_conv_free (CvlFftConv *fc)
{
  if (fc == NULL)
    return;
  cvl_fftw_lock ();
  g_clear_pointer (&fc->r2c, fftwf_destroy_plan);
  g_clear_pointer (&fc->r2c1, fftwf_destroy_plan);
  g_clear_pointer (&fc->c2r, fftwf_destroy_plan);
  g_clear_pointer (&fc->c2r1, fftwf_destroy_plan);
  cvl_fftw_unlock ();
  cvl_nn_free (fc->x);
  cvl_nn_free (fc->y);
  cvl_nn_free (fc->wf);
  cvl_nn_free (fc->dwf);
  cvl_nn_free (fc->w_seen);
  for (int t = 0; t < MAX_TASKS; t++)
    {
      cvl_nn_free (fc->real[t]);
      cvl_nn_free (fc->spec[t]);
    }
  g_free (fc);
}

CvlFftConv *
cvl_nn_fft_conv_new (const CvlConvShape *s,
                     GError            **error)
{
  g_autoptr(CvlFftConv) fc = g_new0 (CvlFftConv, 1);
  int p = s->k / 2;
  gsize planes_in, planes_out, planes_w;
  gboolean ok = TRUE;

  g_return_val_if_fail (s->k % 2 == 1 && s->n >= 1 && s->c_in >= 1 && s->c_out >= 1, NULL);
  g_return_val_if_fail (s->h >= 1 && s->w >= 1 && s->h <= 4096 && s->w <= 4096, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fc->s = *s;
  fc->fh = s->h + p;
  fc->fw = s->w + p;
  fc->fwc = fc->fw / 2 + 1;
  fc->freqs = fc->fh * fc->fwc;
  fc->grid = fc->fh * fc->fw;
  fc->half = fc->freqs;
  planes_in = (gsize) s->c_in * s->n;
  planes_out = (gsize) s->c_out * s->n;
  planes_w = (gsize) s->c_out * s->c_in;

#define ALLOC(field, count) \
  G_STMT_START { if (ok) ok = (fc->field = cvl_nn_alloc ((count), error)) != NULL; } G_STMT_END
  ALLOC (x, 2 * (gsize) fc->freqs * planes_in);
  ALLOC (y, 2 * (gsize) fc->freqs * planes_out);
  ALLOC (wf, 2 * (gsize) fc->freqs * planes_w);
  ALLOC (dwf, 2 * (gsize) fc->freqs * planes_w);
  ALLOC (w_seen, planes_w * s->k * s->k);
  for (int t = 0; t < MAX_TASKS; t++)
    {
      ALLOC (real[t], (gsize) BLOCK * fc->grid);
      ALLOC (spec[t], 2 * (gsize) BLOCK * fc->half);
    }
#undef ALLOC
  if (!ok)
    return NULL;

  {
    int dims[2] = { fc->fh, fc->fw };
    float *r = fc->real[0];
    fftwf_complex *c = (fftwf_complex *) fc->spec[0];

    /* ESTIMATE: the same plan in every process, so a resumed run computes
     * bit for bit what an uninterrupted one would. */
    cvl_fftw_lock ();
    fc->r2c = fftwf_plan_many_dft_r2c (2, dims, BLOCK, r, NULL, 1, fc->grid,
                                       c, NULL, 1, fc->half, FFTW_ESTIMATE);
    fc->r2c1 = fftwf_plan_dft_r2c_2d (fc->fh, fc->fw, r, c, FFTW_ESTIMATE);
    fc->c2r = fftwf_plan_many_dft_c2r (2, dims, BLOCK, c, NULL, 1, fc->half,
                                       r, NULL, 1, fc->grid, FFTW_ESTIMATE);
    fc->c2r1 = fftwf_plan_dft_c2r_2d (fc->fh, fc->fw, c, r, FFTW_ESTIMATE);
    cvl_fftw_unlock ();
  }
  if (fc->r2c == NULL || fc->r2c1 == NULL || fc->c2r == NULL || fc->c2r1 == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT, "FFTW could not plan a %d×%d transform",
                   fc->fh, fc->fw);
      return NULL;
    }
  return g_steal_pointer (&fc);
}

/* -- Plane transforms ------------------------------------------------------- */

typedef enum
{
  LOAD_INPUT,     /* h×w planes → spectra */
  LOAD_WEIGHT,    /* k×k kernels, flipped and wrapped → spectra */
  STORE_OUTPUT,   /* spectra → h×w planes, + bias, ReLU */
  STORE_WEIGHT,   /* spectra → k×k kernel gradients */
} Transform;

typedef struct
{
  CvlFftConv  *fc;
  Transform    kind;
  gsize        planes;
  int          tasks;
  const float *src;       /* LOAD_*: planes */
  float       *dst;       /* STORE_*: planes */
  float       *spectra;   /* [F][planes] complex */
  const float *bias;      /* STORE_OUTPUT: per plane / per_bias, or NULL */
  int          per_bias;  /* planes per bias value (the batch) */
  gboolean     relu;
} TransformJob;

static void
load_grid (const TransformJob *job,
           gsize               plane,
           float              *grid)
{
  const CvlFftConv *fc = job->fc;
  int k = fc->s.k, p = k / 2, h = fc->s.h, w = fc->s.w;

  memset (grid, 0, (gsize) fc->grid * sizeof (float));
  if (job->kind == LOAD_INPUT)
    {
      const float *src = job->src + plane * h * w;

      for (int y = 0; y < h; y++)
        memcpy (grid + (gsize) y * fc->fw, src + (gsize) y * w, w * sizeof (float));
    }
  else
    {
      const float *src = job->src + plane * k * k;
      float scale = 1.f / fc->grid;

      /* h[(p − ky) mod fh, (p − kx) mod fw] = w[ky, kx]: then y = h ⊛ x. */
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
          grid[(gsize) ((p - ky + fc->fh) % fc->fh) * fc->fw + (p - kx + fc->fw) % fc->fw] =
            src[ky * k + kx] * scale;
    }
}

static void
store_grid (const TransformJob *job,
            gsize               plane,
            const float        *grid)
{
  const CvlFftConv *fc = job->fc;
  int k = fc->s.k, p = k / 2, h = fc->s.h, w = fc->s.w;

  if (job->kind == STORE_OUTPUT)
    {
      float *dst = job->dst + plane * h * w;
      float b = job->bias != NULL ? job->bias[plane / job->per_bias] : 0.f;

      for (int y = 0; y < h; y++)
        {
          const float *row = grid + (gsize) y * fc->fw;
          float *out = dst + (gsize) y * w;

          if (job->relu)
            for (int x = 0; x < w; x++)
              out[x] = MAX (row[x] + b, 0.f);
          else
            for (int x = 0; x < w; x++)
              out[x] = row[x] + b;
        }
    }
  else
    {
      float *dst = job->dst + plane * k * k;
      float scale = 1.f / fc->grid;

      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
          dst[ky * k + kx] =
            grid[(gsize) ((p - ky + fc->fh) % fc->fh) * fc->fw + (p - kx + fc->fw) % fc->fw] *
            scale;
    }
}

/* Task t transforms a contiguous run of planes, BLOCK at a time; every plane
 * is computed alone, so the split never changes a result. */
static void
transform_task (gpointer data,
                guint    task)
{
  TransformJob *job = data;
  CvlFftConv *fc = job->fc;
  gsize blocks = (job->planes + BLOCK - 1) / BLOCK;
  gsize first = blocks * task / job->tasks * BLOCK;
  gsize last = MIN (job->planes, blocks * (task + 1) / job->tasks * BLOCK);
  float *real = fc->real[task];
  float *spec = fc->spec[task];
  gboolean load = job->kind == LOAD_INPUT || job->kind == LOAD_WEIGHT;

  for (gsize p0 = first; p0 < last; p0 += BLOCK)
    {
      int count = (int) MIN ((gsize) BLOCK, last - p0);

      if (load)
        {
          for (int b = 0; b < count; b++)
            load_grid (job, p0 + b, real + (gsize) b * fc->grid);
          if (count == BLOCK)
            fftwf_execute_dft_r2c (fc->r2c, real, (fftwf_complex *) spec);
          else
            for (int b = 0; b < count; b++)
              fftwf_execute_dft_r2c (fc->r2c1, real + (gsize) b * fc->grid,
                                     (fftwf_complex *) (spec + 2 * (gsize) b * fc->half));
          /* [b][f] → [f][plane] */
          for (int f = 0; f < fc->freqs; f++)
            {
              float *to = job->spectra + 2 * ((gsize) f * job->planes + p0);

              for (int b = 0; b < count; b++)
                {
                  to[2 * b] = spec[2 * ((gsize) b * fc->half + f)];
                  to[2 * b + 1] = spec[2 * ((gsize) b * fc->half + f) + 1];
                }
            }
        }
      else
        {
          for (int f = 0; f < fc->freqs; f++)
            {
              const float *from = job->spectra + 2 * ((gsize) f * job->planes + p0);

              for (int b = 0; b < count; b++)
                {
                  spec[2 * ((gsize) b * fc->half + f)] = from[2 * b];
                  spec[2 * ((gsize) b * fc->half + f) + 1] = from[2 * b + 1];
                }
            }
          if (count == BLOCK)
            fftwf_execute_dft_c2r (fc->c2r, (fftwf_complex *) spec, real);
          else
            for (int b = 0; b < count; b++)
              fftwf_execute_dft_c2r (fc->c2r1,
                                     (fftwf_complex *) (spec + 2 * (gsize) b * fc->half),
                                     real + (gsize) b * fc->grid);
          for (int b = 0; b < count; b++)
            store_grid (job, p0 + b, real + (gsize) b * fc->grid);
        }
    }
}

static void
transform (CvlFftConv  *fc,
           Transform    kind,
           gsize        planes,
           const float *src,
           float       *dst,
           float       *spectra,
           const float *bias,
           int          per_bias,
           gboolean     relu)
{
  TransformJob job = { fc, kind, planes, 0, src, dst, spectra, bias, per_bias, relu };
  gsize blocks = (planes + BLOCK - 1) / BLOCK;
  int threads = cvl_nn_get_threads ();

  /* Tasks own scratch by index; a fixed count keeps the split independent
   * of the threads. One thread for small jobs (batch-1 inference). */
  job.tasks = (int) MIN ((gsize) MAX_TASKS, blocks);
  if ((gsize) planes * fc->grid < ((gsize) 1 << 15))
    threads = 1;
  cvl_parallel_for (job.tasks, threads, transform_task, &job, NULL);
}

/* -- Per-frequency products ------------------------------------------------- */

typedef struct
{
  CvlFftConv *fc;
  int         n;
  gboolean    backward, want_din;
} ProductJob;

static void
product_freq (gpointer data,
              guint    f)
{
  static const float one[2] = { 1.f, 0.f }, zero[2] = { 0.f, 0.f };
  ProductJob *job = data;
  CvlFftConv *fc = job->fc;
  int ci = fc->s.c_in, co = fc->s.c_out, n = job->n;
  float *x = fc->x + 2 * (gsize) f * ci * n;
  float *y = fc->y + 2 * (gsize) f * co * n;
  float *w = fc->wf + 2 * (gsize) f * co * ci;
  float *dw = fc->dwf + 2 * (gsize) f * co * ci;

  if (!job->backward)
    {
      /* Y [Co, N] = W [Co, Ci] × X [Ci, N] */
      cblas_cgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, co, n, ci, one, w, ci, x, n,
                   zero, y, n);
      return;
    }
  /* dW [Co, Ci] = dY [Co, N] × Xᴴ [N, Ci]; then dX [Ci, N] = Wᴴ [Ci, Co] × dY [Co, N]
   * over X, no longer needed. */
  cblas_cgemm (CblasRowMajor, CblasNoTrans, CblasConjTrans, co, ci, n, one, y, n, x, n,
               zero, dw, ci);
  if (job->want_din)
    cblas_cgemm (CblasRowMajor, CblasConjTrans, CblasNoTrans, ci, n, co, one, w, ci, y, n,
                 zero, x, n);
}

static void
products (CvlFftConv *fc,
          int         n,
          gboolean    backward,
          gboolean    want_din)
{
  ProductJob job = { fc, n, backward, want_din };
  int threads = (gsize) fc->freqs * fc->s.c_in * fc->s.c_out * n < ((gsize) 1 << 18)
                ? 1 : cvl_nn_get_threads ();

  cvl_parallel_for (fc->freqs, threads, product_freq, &job, NULL);
}

/* -- Passes ----------------------------------------------------------------- */

void
cvl_nn_fft_conv_forward (CvlFftConv  *fc,
                         int          n,
                         const float *in,
                         const float *weight,
                         const float *bias,
                         float       *out,
                         gboolean     relu)
{
  const CvlConvShape *s = &fc->s;
  gsize w_bytes = (gsize) s->c_out * s->c_in * s->k * s->k * sizeof (float);

  g_return_if_fail (n >= 1 && n <= s->n);
  fc->n = n;
  /* Inference calls again and again with the same kernels: their spectra
   * only when they changed (a 200 KB compare for the lecture's conv2). */
  if (!fc->wf_valid || memcmp (fc->w_seen, weight, w_bytes) != 0)
    {
      transform (fc, LOAD_WEIGHT, (gsize) s->c_out * s->c_in, weight, NULL, fc->wf, NULL, 1,
                 FALSE);
      memcpy (fc->w_seen, weight, w_bytes);
      fc->wf_valid = TRUE;
    }
  transform (fc, LOAD_INPUT, (gsize) s->c_in * n, in, NULL, fc->x, NULL, 1, FALSE);
  products (fc, n, FALSE, FALSE);
  transform (fc, STORE_OUTPUT, (gsize) s->c_out * n, NULL, out, fc->y, bias, n, relu);
}

void
cvl_nn_fft_conv_backward (CvlFftConv  *fc,
                          const float *dout,
                          float       *dweight,
                          float       *dbias,
                          float       *din)
{
  const CvlConvShape *s = &fc->s;
  int n = fc->n;
  gsize plane = (gsize) s->h * s->w;

  g_return_if_fail (n >= 1);
  /* Bias: plain sums, in a fixed order. */
  for (int co = 0; co < s->c_out; co++)
    {
      const float *d = dout + (gsize) co * n * plane;
      double sum = 0;

      for (gsize i = 0; i < (gsize) n * plane; i++)
        sum += d[i];
      dbias[co] = (float) sum;
    }
  transform (fc, LOAD_INPUT, (gsize) s->c_out * n, dout, NULL, fc->y, NULL, 1, FALSE);
  products (fc, n, TRUE, din != NULL);
  transform (fc, STORE_WEIGHT, (gsize) s->c_out * s->c_in, NULL, dweight, fc->dwf, NULL, 1,
             FALSE);
  if (din != NULL)
    transform (fc, STORE_OUTPUT, (gsize) s->c_in * n, NULL, din, fc->x, NULL, 1, FALSE);
}
