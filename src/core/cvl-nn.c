/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Layers of the convnet with their backward passes. The heavy products go to
 * OpenBLAS's sgemm; the rest (im2col, col2im, pooling, updates) runs on the
 * core's parallel-for, split so that no sum depends on the thread count. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include <cblas.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "cvl-error.h"
#include "cvl-image-private.h"
#include "cvl-nn.h"
#include "cvl-parallel.h"

/* From 4 MiB (a copy of the weights is 13 MB): one fault per 2 MiB instead
 * of one per 4 KiB, ~11 µs each here (see bench/README). */
#define HUGE_THRESHOLD  ((gsize) 4 << 20)

#if defined(__x86_64__)
#define NN_AVX2 __attribute__ ((target ("avx2,fma")))
#else
#define NN_AVX2
#endif

typedef float NnVec8 __attribute__ ((vector_size (32), aligned (4)));

/* Set by each trainer as it starts, read by any thread running a layer (the
 * Train page's feature maps, the Draw page): atomics, read once per call. */
static int n_threads = 1;
static gboolean gemm_split = TRUE;

static gboolean
have_avx2 (void)
{
#if defined(__x86_64__)
  static gsize have;

  if (g_once_init_enter (&have))
    {
      __builtin_cpu_init ();
      g_once_init_leave (&have, __builtin_cpu_supports ("avx2") &&
                                __builtin_cpu_supports ("fma") ? 2 : 1);
    }
  return have == 2;
#else
  return FALSE;
#endif
}

float *
cvl_nn_alloc (gsize    n_floats,
              GError **error)
{
  gsize bytes;

  if (n_floats == 0)
    n_floats = 1;
  if (!g_size_checked_mul (&bytes, n_floats, sizeof (float)) || bytes > G_MAXSIZE / 2)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "A tensor of %" G_GSIZE_FORMAT " floats is too large", n_floats);
      return NULL;
    }

  return cvl_alloc_floats (n_floats, HUGE_THRESHOLD, "a tensor", error);
}

void
cvl_nn_free (float *data)
{
  free (data);
}

/* -- RNG ------------------------------------------------------------------ */

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

void
cvl_rng_init (CvlRng  *rng,
              guint64  seed)
{
  guint64 x = seed;

  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

void
cvl_rng_init_stream (CvlRng  *rng,
                     guint64  seed,
                     guint64  stream)
{
  guint64 x = seed;
  guint64 mixed = splitmix64 (&x) ^ (stream * G_GUINT64_CONSTANT (0xd1b54a32d192ed03));

  cvl_rng_init (rng, mixed);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
cvl_rng_next (CvlRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
cvl_rng_uniform (CvlRng *rng)
{
  return (cvl_rng_next (rng) >> 11) * 0x1.0p-53;
}

double
cvl_rng_normal (CvlRng *rng)
{
  /* Box–Muller, one value per call: simple and state-free. */
  double u1 = 1.0 - cvl_rng_uniform (rng);   /* (0, 1] */
  double u2 = cvl_rng_uniform (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

guint32
cvl_rng_below (CvlRng  *rng,
               guint32  bound)
{
  /* Lemire's multiply-shift with rejection. */
  guint64 m = (guint64) (guint32) (cvl_rng_next (rng) >> 32) * bound;
  guint32 low = (guint32) m;

  g_assert (bound > 0);
  if (low < bound)
    {
      guint32 threshold = -bound % bound;

      while (low < threshold)
        {
          m = (guint64) (guint32) (cvl_rng_next (rng) >> 32) * bound;
          low = (guint32) m;
        }
    }
  return (guint32) (m >> 32);
}

void
cvl_rng_shuffle (CvlRng  *rng,
                 guint32 *items,
                 guint32  n)
{
  for (guint32 i = n; i > 1; i--)
    {
      guint32 j = cvl_rng_below (rng, i);
      guint32 tmp = items[i - 1];

      items[i - 1] = items[j];
      items[j] = tmp;
    }
}

void
cvl_nn_init_he (float  *w,
                gsize   n,
                int     fan_in,
                CvlRng *rng)
{
  double std = sqrt (2.0 / fan_in);

  for (gsize i = 0; i < n; i++)
    w[i] = (float) (std * cvl_rng_normal (rng));
}

void
cvl_nn_init_glorot (float  *w,
                    gsize   n,
                    int     fan_in,
                    int     fan_out,
                    CvlRng *rng)
{
  double limit = sqrt (6.0 / (fan_in + fan_out));

  for (gsize i = 0; i < n; i++)
    w[i] = (float) (limit * (2.0 * cvl_rng_uniform (rng) - 1.0));
}

void
cvl_nn_set_threads (int threads)
{
  gboolean split = g_strcmp0 (g_getenv ("CVL_GEMM"), "openblas") != 0;

  threads = CLAMP (threads, 1, 256);
  g_atomic_int_set (&n_threads, threads);
  g_atomic_int_set (&gemm_split, split);
  openblas_set_num_threads (split ? 1 : threads);
}

int
cvl_nn_get_threads (void)
{
  return g_atomic_int_get (&n_threads);
}

/* sgemm split by columns of C over the core's own threads, each block a
 * single-threaded OpenBLAS call: no OpenBLAS helper threads left spinning
 * while the layers' own loops run, and every element of C comes from one
 * call whatever the thread count (row-major; ldc = n). */
typedef struct
{
  CBLAS_TRANSPOSE ta, tb;
  int             m, n, k, lda, ldb, block;
  const float    *a, *b;
  float           beta;
  float          *c;
} GemmJob;

static void
gemm_block (gpointer data,
            guint    task)
{
  GemmJob *job = data;
  int j0 = task * job->block, nb = MIN (job->block, job->n - j0);
  /* Column j of op(B) starts at b + j (no transpose) or b + j·ldb. */
  const float *b = job->b + (job->tb == CblasNoTrans ? (gsize) j0 : (gsize) j0 * job->ldb);

  cblas_sgemm (CblasRowMajor, job->ta, job->tb, job->m, nb, job->k, 1.f, job->a, job->lda,
               b, job->ldb, job->beta, job->c + j0, job->n);
}

static void
gemm (CBLAS_TRANSPOSE  ta,
      CBLAS_TRANSPOSE  tb,
      int              m,
      int              n,
      int              k,
      const float     *a,
      int              lda,
      const float     *b,
      int              ldb,
      float            beta,
      float           *c)
{
  GemmJob job = { ta, tb, m, n, k, lda, ldb, 0, a, b, beta, c };
  int threads = g_atomic_int_get (&n_threads), tasks = threads;

  if (g_atomic_int_get (&gemm_split) && (double) m * n * k >= 4e6 && n >= 32 * tasks &&
      tasks > 1)
    {
      /* Blocks of a multiple of 16 columns, as many as threads. */
      job.block = ((n + tasks - 1) / tasks + 15) & ~15;
      tasks = (n + job.block - 1) / job.block;
      cvl_parallel_for (tasks, threads, gemm_block, &job, NULL);
    }
  else
    cblas_sgemm (CblasRowMajor, ta, tb, m, n, k, 1.f, a, lda, b, ldb, beta, c, n);
}

/* -- Convolution ------------------------------------------------------------ */

/* Threads worth waking for a pass over `floats` values: one for small
 * batches (batch-1 inference), where hand-off costs more than it saves. */
static guint
threads_for (gsize floats)
{
  return floats < ((gsize) 1 << 18) ? 1 : (guint) g_atomic_int_get (&n_threads);
}

gsize
cvl_nn_conv_col_size (const CvlConvShape *s)
{
  return (gsize) s->c_in * s->k * s->k * s->n * s->h * s->w;
}

typedef struct
{
  const CvlConvShape *s;
  const float        *in;
  float              *col;
  float              *out;
  const float        *bias;
  gboolean            relu;
} ConvJob;

/* One row of col per task: row (ci, ky, kx) holds in[ci, n, y+ky-p, x+kx-p]
 * for every (n, y, x), zero outside. */
static void
im2col_row (gpointer data,
            guint    task)
{
  ConvJob *job = data;
  const CvlConvShape *s = job->s;
  int k = s->k, p = k / 2, h = s->h, w = s->w;
  int ci = task / (k * k), ky = (task / k) % k, kx = task % k;
  int dx = kx - p;
  int x0 = MAX (0, -dx), x1 = MIN (w, w - dx);   /* x range reading inside */
  float *dst = job->col + (gsize) task * s->n * h * w;

  for (int n = 0; n < s->n; n++)
    {
      const float *plane = job->in + ((gsize) ci * s->n + n) * h * w;

      for (int y = 0; y < h; y++, dst += w)
        {
          int sy = y + ky - p;

          if (sy < 0 || sy >= h)
            {
              memset (dst, 0, w * sizeof (float));
              continue;
            }
          for (int x = 0; x < x0; x++)
            dst[x] = 0.f;
          memcpy (dst + x0, plane + (gsize) sy * w + x0 + dx, (x1 - x0) * sizeof (float));
          for (int x = x1; x < w; x++)
            dst[x] = 0.f;
        }
    }
}

static void
bias_relu_plane (gpointer data,
                 guint    task)
{
  ConvJob *job = data;
  const CvlConvShape *s = job->s;
  gsize plane = (gsize) s->n * s->h * s->w;
  float *o = job->out + task * plane;
  float b = job->bias[task];

  if (job->relu)
    for (gsize i = 0; i < plane; i++)
      o[i] = MAX (o[i] + b, 0.f);
  else
    for (gsize i = 0; i < plane; i++)
      o[i] += b;
}

void
cvl_nn_conv_forward (const CvlConvShape *s,
                     const float        *in,
                     const float        *weight,
                     const float        *bias,
                     float              *out,
                     float              *col,
                     gboolean            relu)
{
  ConvJob job = { s, in, col, out, bias, relu };
  int kk = s->c_in * s->k * s->k;
  int cols = s->n * s->h * s->w;

  cvl_parallel_for (kk, threads_for ((gsize) kk * cols), im2col_row, &job, NULL);
  /* out [Co, N·H·W] = weight [Co, K] × col [K, N·H·W] */
  gemm (CblasNoTrans, CblasNoTrans, s->c_out, cols, kk, weight, kk, col, cols, 0.f, out);
  cvl_parallel_for (s->c_out, threads_for ((gsize) s->c_out * cols), bias_relu_plane, &job,
                    NULL);
}

typedef struct
{
  const CvlConvShape *s;
  const float        *dout;
  float              *dbias;
  const float        *dcol;
  float              *din;
} ConvBackJob;

static void
bias_grad_plane (gpointer data,
                 guint    task)
{
  ConvBackJob *job = data;
  const CvlConvShape *s = job->s;
  gsize plane = (gsize) s->n * s->h * s->w;
  const float *d = job->dout + task * plane;
  double sum = 0;

  for (gsize i = 0; i < plane; i++)
    sum += d[i];
  job->dbias[task] = (float) sum;
}

/* din[ci, n, y, x] = Σ_(ky,kx) dcol[(ci,ky,kx), n, y-ky+p, x-kx+p]: one input
 * channel per task, always summed in the same order. */
static void
col2im_channel (gpointer data,
                guint    task)
{
  ConvBackJob *job = data;
  const CvlConvShape *s = job->s;
  int k = s->k, p = k / 2, h = s->h, w = s->w;
  gsize plane = (gsize) h * w, cols = (gsize) s->n * plane;
  float *dst = job->din + task * cols;

  memset (dst, 0, cols * sizeof (float));
  for (int ky = 0; ky < k; ky++)
    for (int kx = 0; kx < k; kx++)
      {
        const float *src = job->dcol + ((gsize) task * k * k + ky * k + kx) * cols;
        int dy = ky - p, dx = kx - p;
        int x0 = MAX (0, -dx), x1 = MIN (w, w - dx);

        /* col row at output (y, x) read in[y+dy, x+dx]: scatter back. */
        for (int n = 0; n < s->n; n++)
          for (int y = MAX (0, -dy); y < MIN (h, h - dy); y++)
            {
              const float *srow = src + n * plane + (gsize) y * w;
              float *drow = dst + n * plane + (gsize) (y + dy) * w + dx;

              for (int x = x0; x < x1; x++)
                drow[x] += srow[x];
            }
      }
}

void
cvl_nn_conv_backward (const CvlConvShape *s,
                      const float        *dout,
                      const float        *weight,
                      float              *dweight,
                      float              *dbias,
                      float              *din,
                      float              *col)
{
  ConvBackJob job = { s, dout, dbias, col, din };
  int kk = s->c_in * s->k * s->k;
  int cols = s->n * s->h * s->w;

  cvl_parallel_for (s->c_out, threads_for ((gsize) s->c_out * cols), bias_grad_plane, &job,
                    NULL);
  /* dweight [Co, K] = dout [Co, NHW] × colᵀ [NHW, K] */
  gemm (CblasNoTrans, CblasTrans, s->c_out, kk, cols, dout, cols, col, cols, 0.f, dweight);
  if (din == NULL)
    return;
  /* dcol [K, NHW] = weightᵀ [K, Co] × dout [Co, NHW], into col */
  gemm (CblasTrans, CblasNoTrans, kk, cols, s->c_out, weight, kk, dout, cols, 0.f, col);
  cvl_parallel_for (s->c_in, threads_for ((gsize) kk * cols), col2im_channel, &job, NULL);
}

#define AT(t, c, n, y, x) (t)[((((gsize) (c) * s->n + (n)) * s->h + (y)) * s->w + (x))]

void
cvl_nn_conv_forward_naive (const CvlConvShape *s,
                           const float        *in,
                           const float        *weight,
                           const float        *bias,
                           float              *out)
{
  int k = s->k, p = k / 2;

  for (int co = 0; co < s->c_out; co++)
    for (int n = 0; n < s->n; n++)
      for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++)
          {
            double sum = bias[co];

            for (int ci = 0; ci < s->c_in; ci++)
              for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++)
                  {
                    int sy = y + ky - p, sx = x + kx - p;

                    if (sy >= 0 && sy < s->h && sx >= 0 && sx < s->w)
                      sum += (double) weight[((co * s->c_in + ci) * k + ky) * k + kx] *
                             AT (in, ci, n, sy, sx);
                  }
            AT (out, co, n, y, x) = (float) sum;
          }
}

void
cvl_nn_conv_backward_naive (const CvlConvShape *s,
                            const float        *in,
                            const float        *dout,
                            const float        *weight,
                            float              *dweight,
                            float              *dbias,
                            float              *din)
{
  int k = s->k, p = k / 2;
  gsize n_w = (gsize) s->c_out * s->c_in * k * k;

  memset (dweight, 0, n_w * sizeof (float));
  memset (dbias, 0, s->c_out * sizeof (float));
  if (din != NULL)
    memset (din, 0, (gsize) s->c_in * s->n * s->h * s->w * sizeof (float));

  for (int co = 0; co < s->c_out; co++)
    for (int n = 0; n < s->n; n++)
      for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++)
          {
            float g = AT (dout, co, n, y, x);

            dbias[co] += g;
            for (int ci = 0; ci < s->c_in; ci++)
              for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++)
                  {
                    int sy = y + ky - p, sx = x + kx - p;
                    gsize wi = ((gsize) (co * s->c_in + ci) * k + ky) * k + kx;

                    if (sy < 0 || sy >= s->h || sx < 0 || sx >= s->w)
                      continue;
                    dweight[wi] += g * AT (in, ci, n, sy, sx);
                    if (din != NULL)
                      AT (din, ci, n, sy, sx) += g * weight[wi];
                  }
          }
}

#undef AT

/* -- Pooling, ReLU, dropout ------------------------------------------------- */

#define POOL_PLANES_PER_TASK 64

typedef struct
{
  const float  *in;     /* forward: input; backward: dout */
  const float  *y;      /* backward: the pooled layer's (ReLU) output, or NULL */
  float        *out;    /* forward: output; backward: din */
  guint8       *arg;
  int           planes, h, w;
} PoolJob;

static void
maxpool_forward_task (gpointer data,
                      guint    task)
{
  PoolJob *job = data;
  int h = job->h, w = job->w, oh = h / 2, ow = w / 2;
  gsize first = (gsize) task * POOL_PLANES_PER_TASK;
  gsize last = MIN ((gsize) job->planes, first + POOL_PLANES_PER_TASK);

  for (gsize pl = first; pl < last; pl++)
    {
      const float *src = job->in + pl * h * w;
      float *dst = job->out + pl * oh * ow;
      guint8 *a = job->arg + pl * oh * ow;

      for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
          {
            const float *r0 = src + (2 * y) * w + 2 * x, *r1 = r0 + w;
            float best = r0[0];
            guint8 which = 0;

            if (r0[1] > best) { best = r0[1]; which = 1; }
            if (r1[0] > best) { best = r1[0]; which = 2; }
            if (r1[1] > best) { best = r1[1]; which = 3; }
            dst[y * ow + x] = best;
            a[y * ow + x] = which;
          }
    }
}

void
cvl_nn_maxpool_forward (const float *in,
                        int          planes,
                        int          h,
                        int          w,
                        float       *out,
                        guint8      *arg)
{
  PoolJob job = { in, NULL, out, arg, planes, h, w };

  cvl_parallel_for ((planes + POOL_PLANES_PER_TASK - 1) / POOL_PLANES_PER_TASK,
                    threads_for ((gsize) planes * h * w),
                    maxpool_forward_task, &job, NULL);
}

static void
maxpool_backward_task (gpointer data,
                       guint    task)
{
  PoolJob *job = data;
  int h = job->h, w = job->w, oh = h / 2, ow = w / 2;
  gsize first = (gsize) task * POOL_PLANES_PER_TASK;
  gsize last = MIN ((gsize) job->planes, first + POOL_PLANES_PER_TASK);

  memset (job->out + first * h * w, 0, (last - first) * h * w * sizeof (float));
  for (gsize pl = first; pl < last; pl++)
    {
      const float *src = job->in + pl * oh * ow;
      const guint8 *a = job->arg + pl * oh * ow;
      const float *y = job->y != NULL ? job->y + pl * h * w : NULL;
      float *dst = job->out + pl * h * w;

      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          {
            int which = a[oy * ow + ox];
            gsize at = (gsize) (2 * oy + (which >> 1)) * w + 2 * ox + (which & 1);

            /* Fused ReLU: a winner of 0 means all four were ≤ 0 before it. */
            if (y == NULL || y[at] > 0.f)
              dst[at] = src[oy * ow + ox];
          }
    }
}

void
cvl_nn_maxpool_backward (const float  *dout,
                         const guint8 *arg,
                         int           planes,
                         int           h,
                         int           w,
                         float        *din)
{
  PoolJob job = { dout, NULL, din, (guint8 *) arg, planes, h, w };

  cvl_parallel_for ((planes + POOL_PLANES_PER_TASK - 1) / POOL_PLANES_PER_TASK,
                    threads_for ((gsize) planes * h * w),
                    maxpool_backward_task, &job, NULL);
}

void
cvl_nn_maxpool_relu_backward (const float  *dout,
                              const guint8 *arg,
                              const float  *y,
                              int           planes,
                              int           h,
                              int           w,
                              float        *din)
{
  PoolJob job = { dout, y, din, (guint8 *) arg, planes, h, w };

  cvl_parallel_for ((planes + POOL_PLANES_PER_TASK - 1) / POOL_PLANES_PER_TASK,
                    threads_for ((gsize) planes * h * w),
                    maxpool_backward_task, &job, NULL);
}

void
cvl_nn_relu_forward (const float *x,
                     float       *y,
                     gsize        n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = MAX (x[i], 0.f);
}

void
cvl_nn_relu_backward (const float *y,
                      const float *dy,
                      float       *dx,
                      gsize        n)
{
  for (gsize i = 0; i < n; i++)
    dx[i] = y[i] > 0.f ? dy[i] : 0.f;
}

void
cvl_nn_dropout_forward (const float *x,
                        float       *y,
                        float       *mask,
                        gsize        n,
                        float        keep,
                        CvlRng      *rng)
{
  float scale = 1.f / keep;

  if (keep >= 1.f)
    {
      for (gsize i = 0; i < n; i++)
        mask[i] = 1.f;
      memmove (y, x, n * sizeof (float));
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      /* 24 random bits per element are plenty for a keep probability. */
      mask[i] = (cvl_rng_next (rng) >> 40) * 0x1.0p-24f < keep ? scale : 0.f;
      y[i] = x[i] * mask[i];
    }
}

void
cvl_nn_dropout_backward (const float *dy,
                         const float *mask,
                         float       *dx,
                         gsize        n)
{
  for (gsize i = 0; i < n; i++)
    dx[i] = dy[i] * mask[i];
}

/* -- Dense ------------------------------------------------------------------ */

typedef struct
{
  int          in, out, block;
  const float *x, *weight;
  float       *y;
} GemvJob;

static void
gemv_block (gpointer data,
            guint    task)
{
  GemvJob *job = data;
  int r0 = task * job->block, rows = MIN (job->block, job->out - r0);

  cblas_sgemv (CblasRowMajor, CblasNoTrans, rows, job->in, 1.f,
               job->weight + (gsize) r0 * job->in, job->in, job->x, 1, 1.f, job->y + r0, 1);
}

void
cvl_nn_dense_forward (int          n,
                      int          in,
                      int          out,
                      const float *x,
                      const float *weight,
                      const float *bias,
                      float       *y)
{
  for (int r = 0; r < n; r++)
    memcpy (y + (gsize) r * out, bias, out * sizeof (float));
  if (n == 1)
    {
      /* Batch 1 (drawing): rows of the weights split over the threads. */
      int threads = g_atomic_int_get (&n_threads);
      GemvJob job = { in, out, (out + threads - 1) / threads, x, weight, y };

      if (!g_atomic_int_get (&gemm_split) || (gsize) in * out < ((gsize) 1 << 18) ||
          threads == 1)
        cblas_sgemv (CblasRowMajor, CblasNoTrans, out, in, 1.f, weight, in, x, 1, 1.f, y, 1);
      else
        cvl_parallel_for ((out + job.block - 1) / job.block, threads, gemv_block, &job, NULL);
    }
  else
    /* y [N, Out] = x [N, In] × weightᵀ [In, Out] + bias */
    gemm (CblasNoTrans, CblasTrans, n, out, in, x, in, weight, in, 1.f, y);
}

typedef struct
{
  int          n, in, out, block;
  const float *x, *weight_t, *bias;
  float       *y;
} SparseJob;

/* y[r, o0 … o0+len] = bias + Σ over the non-zero x[r, i] of x[r, i]·Wᵀ[i, o0 …],
 * 64 outputs at a time in registers. */
NN_AVX2 static void
sparse_rows (const SparseJob *job,
             int              o0,
             int              len)
{
  g_autofree int *nz = g_new (int, job->in);

  for (int r = 0; r < job->n; r++)
    {
      const float *x = job->x + (gsize) r * job->in;
      float *y = job->y + (gsize) r * job->out;
      int count = 0, o = o0;

      for (int i = 0; i < job->in; i++)
        if (x[i] != 0.f)
          nz[count++] = i;
      for (; o + 64 <= o0 + len; o += 64)
        {
          NnVec8 acc[8];

          for (int v = 0; v < 8; v++)
            acc[v] = *(const NnVec8 *) (job->bias + o + 8 * v);
          for (int j = 0; j < count; j++)
            {
              const float *w = job->weight_t + (gsize) nz[j] * job->out + o;
              float xi = x[nz[j]];

              for (int v = 0; v < 8; v++)
                acc[v] += xi * *(const NnVec8 *) (w + 8 * v);
            }
          for (int v = 0; v < 8; v++)
            *(NnVec8 *) (y + o + 8 * v) = acc[v];
        }
      for (; o < o0 + len; o++)
        {
          float sum = job->bias[o];

          for (int j = 0; j < count; j++)
            sum += x[nz[j]] * job->weight_t[(gsize) nz[j] * job->out + o];
          y[o] = sum;
        }
    }
}

static void
sparse_block (gpointer data,
              guint    task)
{
  SparseJob *job = data;
  int o0 = task * job->block;

  sparse_rows (job, o0, MIN (job->block, job->out - o0));
}

void
cvl_nn_dense_forward_sparse (int          n,
                             int          in,
                             int          out,
                             const float *x,
                             const float *weight_t,
                             const float *bias,
                             float       *y)
{
  SparseJob job = { n, in, out, 0, x, weight_t, bias, y };
  int tasks = (gsize) in * out < ((gsize) 1 << 18) ? 1 : g_atomic_int_get (&n_threads);

  /* Output columns split over the threads: each sum keeps its order. */
  job.block = ((out + tasks - 1) / tasks + 63) & ~63;
  cvl_parallel_for ((out + job.block - 1) / job.block, tasks, sparse_block, &job, NULL);
}

void
cvl_nn_dense_backward (int          n,
                       int          in,
                       int          out,
                       const float *x,
                       const float *weight,
                       const float *dy,
                       float       *dweight,
                       float       *dbias,
                       float       *dx)
{
  for (int o = 0; o < out; o++)
    {
      double sum = 0;

      for (int r = 0; r < n; r++)
        sum += dy[(gsize) r * out + o];
      dbias[o] = (float) sum;
    }
  /* dweight [Out, In] = dyᵀ [Out, N] × x [N, In] */
  gemm (CblasTrans, CblasNoTrans, out, in, n, dy, out, x, in, 0.f, dweight);
  if (dx != NULL)
    /* dx [N, In] = dy [N, Out] × weight [Out, In] */
    gemm (CblasNoTrans, CblasNoTrans, n, in, out, dy, out, weight, in, 0.f, dx);
}

/* -- Softmax cross-entropy -------------------------------------------------- */

void
cvl_nn_softmax (int    n,
                int    k,
                float *x)
{
  for (int r = 0; r < n; r++)
    {
      float *row = x + (gsize) r * k;
      float max = row[0];
      double sum = 0;

      for (int j = 1; j < k; j++)
        max = MAX (max, row[j]);
      for (int j = 0; j < k; j++)
        {
          row[j] = expf (row[j] - max);
          sum += row[j];
        }
      for (int j = 0; j < k; j++)
        row[j] = (float) (row[j] / sum);
    }
}

double
cvl_nn_softmax_xent (int           n,
                     int           k,
                     const float  *logits,
                     const guint8 *labels,
                     float        *probs,
                     float        *dlogits,
                     int          *correct)
{
  double loss = 0;
  int right = 0;

  for (int r = 0; r < n; r++)
    {
      const float *row = logits + (gsize) r * k;
      int label = labels[r], best = 0;
      double max = row[0], sum = 0, lse;

      for (int j = 1; j < k; j++)
        if (row[j] > row[best])
          best = j;
      max = row[best];
      for (int j = 0; j < k; j++)
        sum += exp (row[j] - max);
      lse = max + log (sum);
      loss += lse - row[label];
      right += best == label;

      for (int j = 0; j < k; j++)
        {
          double p = exp (row[j] - lse);

          if (probs != NULL)
            probs[(gsize) r * k + j] = (float) p;
          if (dlogits != NULL)
            dlogits[(gsize) r * k + j] = (float) ((p - (j == label)) / n);
        }
    }

  if (correct != NULL)
    *correct = right;
  return loss / n;
}

/* -- Optimisers ------------------------------------------------------------- */

#define UPDATE_CHUNK 65536

typedef struct
{
  float       *param;
  const float *grad;
  float       *m, *v;
  gsize        n;
  float        step, b1, b2, c1, c2, eps, inv_sqrt_bc2;   /* c = 1 − β, rounded once */
} AdamJob;


/* Eight parameters at a time (the scalar loop took 4 ns a parameter: sqrtf
 * and a division one by one); the same formula for the tail. */
NN_AVX2 static void
adam_chunk_avx2 (AdamJob *job,
                 gsize    begin,
                 gsize    end)
{
  float b1 = job->b1, b2 = job->b2, c1 = job->c1, c2 = job->c2;
  float step = job->step, eps = job->eps, ibc2 = job->inv_sqrt_bc2;
  gsize i = begin;

  for (; i + 8 <= end; i += 8)
    {
      NnVec8 g = *(const NnVec8 *) (job->grad + i);
      NnVec8 m = b1 * *(NnVec8 *) (job->m + i) + c1 * g;
      NnVec8 v = b2 * *(NnVec8 *) (job->v + i) + c2 * g * g;
      NnVec8 root;

#if defined(__x86_64__)
      root = (NnVec8) _mm256_sqrt_ps ((__m256) v);
#else
      for (int j = 0; j < 8; j++)
        root[j] = sqrtf (v[j]);
#endif
      *(NnVec8 *) (job->m + i) = m;
      *(NnVec8 *) (job->v + i) = v;
      *(NnVec8 *) (job->param + i) -= step * m / (root * ibc2 + eps);
    }
  for (; i < end; i++)
    {
      float g = job->grad[i];
      float m = job->m[i] = b1 * job->m[i] + c1 * g;
      float v = job->v[i] = b2 * job->v[i] + c2 * g * g;

      job->param[i] -= step * m / (sqrtf (v) * ibc2 + eps);
    }
}

static void
adam_chunk (gpointer data,
            guint    task)
{
  AdamJob *job = data;
  gsize begin = (gsize) task * UPDATE_CHUNK, end = MIN (job->n, begin + UPDATE_CHUNK);
  float b1 = job->b1, b2 = job->b2, c1 = job->c1, c2 = job->c2;

  if (have_avx2 ())
    {
      adam_chunk_avx2 (job, begin, end);
      return;
    }
  for (gsize i = begin; i < end; i++)
    {
      float g = job->grad[i];
      float m = job->m[i] = b1 * job->m[i] + c1 * g;
      float v = job->v[i] = b2 * job->v[i] + c2 * g * g;

      job->param[i] -= job->step * m / (sqrtf (v) * job->inv_sqrt_bc2 + job->eps);
    }
}

void
cvl_nn_adam_step (float       *param,
                  const float *grad,
                  float       *m,
                  float       *v,
                  gsize        n,
                  double       lr,
                  double       beta1,
                  double       beta2,
                  double       eps,
                  gint64       t)
{
  double bc1 = 1.0 - pow (beta1, (double) t);
  double bc2 = 1.0 - pow (beta2, (double) t);
  AdamJob job = {
    param, grad, m, v, n,
    (float) (lr / bc1), (float) beta1, (float) beta2,
    (float) (1.0 - beta1), (float) (1.0 - beta2), (float) eps,
    (float) (1.0 / sqrt (bc2)),
  };

  g_return_if_fail (t >= 1);
  cvl_parallel_for ((n + UPDATE_CHUNK - 1) / UPDATE_CHUNK, g_atomic_int_get (&n_threads),
                    adam_chunk, &job, NULL);
}

typedef struct
{
  float       *avg;
  const float *w;
  gsize        n;
  float        d;
} AverageJob;

static void
average_chunk (gpointer data,
               guint    task)
{
  AverageJob *job = data;
  gsize begin = (gsize) task * UPDATE_CHUNK, end = MIN (job->n, begin + UPDATE_CHUNK);
  float *restrict avg = job->avg;
  const float *restrict w = job->w;
  float d = job->d, c = 1.f - job->d;

  for (gsize i = begin; i < end; i++)
    avg[i] = d * avg[i] + c * w[i];
}

void
cvl_nn_average_step (float       *avg,
                     const float *w,
                     gsize        n,
                     float        decay)
{
  AverageJob job = { avg, w, n, decay };

  /* Memory-bound (three 13 MB streams for the lecture's network): both
   * cores' bandwidth, as the Adam step uses. */
  cvl_parallel_for ((n + UPDATE_CHUNK - 1) / UPDATE_CHUNK, g_atomic_int_get (&n_threads),
                    average_chunk, &job, NULL);
}

void
cvl_nn_sgd_step (float       *param,
                 const float *grad,
                 float       *velocity,
                 gsize        n,
                 double       lr,
                 double       momentum)
{
  float mu = (float) momentum, rate = (float) lr;

  for (gsize i = 0; i < n; i++)
    {
      velocity[i] = mu * velocity[i] + grad[i];
      param[i] -= rate * velocity[i];
    }
}
