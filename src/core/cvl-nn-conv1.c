/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The first layer of the lecture network (one input channel, 5×5, 32
 * channels, 28×28) with its ReLU and 2×2 max-pool in one pass: im2col had
 * 25 rows to sgemm over, too few to pay for writing and reading them. */
#include "config.h"

#include <string.h>

#include "cvl-nn.h"
#include "cvl-parallel.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define C1_AVX2 __attribute__ ((target ("avx2,fma")))
#else
#define C1_AVX2
#endif

/* Images per task, and a fixed number of partial sums for the weight
 * gradient, so no sum depends on the thread count. */
#define IMAGES_PER_TASK 4
#define MAX_CO          64
#define MAX_K           7

typedef float V8 __attribute__ ((vector_size (32)));

typedef struct
{
  const CvlConvShape *s;
  const float        *in;        /* [N,H,W] */
  const float        *weight;    /* [Co,k,k] */
  const float        *bias;
  float              *pooled;    /* [Co,N,H/2,W/2] */
  guint8             *arg;
  const float        *dpooled;
  float              *partial;   /* [tasks][Co·(k·k + 1)] */
  float              *wt;        /* [k·k][Co]: taps outermost, for vectors over Co */
  gboolean            avx2;
} Conv1Job;

static gboolean
have_avx2 (void)
{
#if defined(__x86_64__)
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#else
  return FALSE;
#endif
}

/* in [H,W] → pad [(H+2p) rows][stride], zero around (and 8 floats to the
 * right, for whole-vector loads). */
static int
pad_stride (const CvlConvShape *s)
{
  return (s->w + 2 * (s->k / 2) + 8 + 7) & ~7;
}

static void
pad_image (const CvlConvShape *s,
           const float        *in,
           float              *pad)
{
  int p = s->k / 2, stride = pad_stride (s);

  memset (pad, 0, (gsize) (s->h + 2 * p) * stride * sizeof (float));
  for (int y = 0; y < s->h; y++)
    memcpy (pad + (gsize) (y + p) * stride + p, in + (gsize) y * s->w, s->w * sizeof (float));
}

/* Ties to the first of the four, as cvl_nn_maxpool_forward. */
static inline void
pool4 (const float *v,
       float       *best,
       guint8      *which)
{
  *best = v[0];
  *which = 0;
  for (int a = 1; a < 4; a++)
    if (v[a] > *best)
      *best = v[a], *which = (guint8) a;
}

static void
forward_image_scalar (const Conv1Job *job,
                      int             n,
                      const float    *pad)
{
  const CvlConvShape *s = job->s;
  int k = s->k, stride = pad_stride (s), oh = s->h / 2, ow = s->w / 2;

  for (int co = 0; co < s->c_out; co++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++)
        {
          float v[4];
          gsize at = ((gsize) co * s->n + n) * oh * ow + oy * ow + ox;

          for (int a = 0; a < 4; a++)
            {
              int y = 2 * oy + (a >> 1), x = 2 * ox + (a & 1);
              float sum = job->bias[co];

              for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++)
                  sum += job->weight[(co * k + ky) * k + kx] *
                         pad[(gsize) (y + ky) * stride + x + kx];
              v[a] = MAX (sum, 0.f);
            }
          pool4 (v, &job->pooled[at], &job->arg[at]);
        }
}

/* Vectors over eight output channels; two pixels share each weight load. */
C1_AVX2 static void
forward_image_avx2 (const Conv1Job *job,
                    int             n,
                    const float    *pad,
                    float          *out)  /* [oh·ow][Co] pooled, then [oh·ow][Co] args */
{
  const CvlConvShape *s = job->s;
  int k = s->k, stride = pad_stride (s), oh = s->h / 2, ow = s->w / 2;
  int co = s->c_out;
  float *which_out = out + (gsize) oh * ow * co;

  for (int c0 = 0; c0 < co; c0 += 8)
    {
      V8 bias;

      memcpy (&bias, job->bias + c0, sizeof bias);
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          {
            V8 acc[4] = { bias, bias, bias, bias };
            V8 best, which = { 0 };

            for (int ky = 0; ky < k; ky++)
              {
                const float *r0 = pad + (gsize) (2 * oy + ky) * stride + 2 * ox, *r1 = r0 + stride;

                for (int kx = 0; kx < k; kx++)
                  {
                    V8 w = *(const V8 *) (job->wt + (gsize) (ky * k + kx) * co + c0);

                    acc[0] += w * r0[kx];
                    acc[1] += w * r0[kx + 1];
                    acc[2] += w * r1[kx];
                    acc[3] += w * r1[kx + 1];
                  }
              }
            best = (V8) _mm256_max_ps ((__m256) acc[0], _mm256_setzero_ps ());
            for (int a = 1; a < 4; a++)
              {
                __m256 v = _mm256_max_ps ((__m256) acc[a], _mm256_setzero_ps ());
                __m256 gt = _mm256_cmp_ps (v, (__m256) best, _CMP_GT_OQ);

                best = (V8) _mm256_blendv_ps ((__m256) best, v, gt);
                which = (V8) _mm256_blendv_ps ((__m256) which, _mm256_set1_ps ((float) a), gt);
              }
            memcpy (out + (gsize) (oy * ow + ox) * co + c0, &best, sizeof best);
            memcpy (which_out + (gsize) (oy * ow + ox) * co + c0, &which, sizeof which);
          }
    }
  /* [pos][Co] → [Co][N][pos] */
  for (int c = 0; c < co; c++)
    {
      float *dst = job->pooled + ((gsize) c * s->n + n) * oh * ow;
      guint8 *arg = job->arg + ((gsize) c * s->n + n) * oh * ow;

      for (int pos = 0; pos < oh * ow; pos++)
        {
          dst[pos] = out[(gsize) pos * co + c];
          arg[pos] = (guint8) which_out[(gsize) pos * co + c];
        }
    }
}

static void
forward_task (gpointer data,
              guint    task)
{
  Conv1Job *job = data;
  const CvlConvShape *s = job->s;
  int p = s->k / 2, first = task * IMAGES_PER_TASK, last = MIN (s->n, first + IMAGES_PER_TASK);
  g_autofree float *pad = g_malloc ((gsize) (s->h + 2 * p) * pad_stride (s) * sizeof (float));
  g_autofree float *out = job->avx2 ? g_malloc ((gsize) s->h * s->w / 2 * s->c_out *
                                                sizeof (float)) : NULL;

  for (int n = first; n < last; n++)
    {
      pad_image (s, job->in + (gsize) n * s->h * s->w, pad);
      if (job->avx2)
        forward_image_avx2 (job, n, pad, out);
      else
        forward_image_scalar (job, n, pad);
    }
}

static gboolean
use_avx2 (const CvlConvShape *s)
{
  return s->c_out % 8 == 0 && have_avx2 ();
}

void
cvl_nn_conv1_pool_forward (const CvlConvShape *s,
                           const float        *in,
                           const float        *weight,
                           const float        *bias,
                           float              *pooled,
                           guint8             *arg)
{
  int k = s->k, tasks = (s->n + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK;
  float wt[MAX_K * MAX_K * MAX_CO] __attribute__ ((aligned (32)));
  Conv1Job job = { s, in, weight, bias, pooled, arg, NULL, NULL, wt, use_avx2 (s) };

  g_return_if_fail (s->c_in == 1 && s->c_out <= MAX_CO && k % 2 == 1 && k <= MAX_K);
  g_return_if_fail (s->h % 2 == 0 && s->w % 2 == 0);

  for (int t = 0; t < k * k; t++)
    for (int co = 0; co < s->c_out; co++)
      wt[t * s->c_out + co] = weight[co * k * k + t];
  cvl_parallel_for (tasks, (gsize) s->n * s->h * s->w * s->c_out < ((gsize) 1 << 16)
                           ? 1 : cvl_nn_get_threads (), forward_task, &job, NULL);
}

/* -- Backward --------------------------------------------------------------- */

/* Only the window winners with a pooled value > 0 carry a gradient: a
 * quarter of the positions at most. partial: [Co][k·k + 1], the bias last. */
static void
backward_image_scalar (const Conv1Job *job,
                       int             n,
                       const float    *pad,
                       float          *partial)
{
  const CvlConvShape *s = job->s;
  int k = s->k, stride = pad_stride (s), oh = s->h / 2, ow = s->w / 2;

  for (int co = 0; co < s->c_out; co++)
    {
      gsize at = ((gsize) co * s->n + n) * oh * ow;
      float *dw = partial + (gsize) co * (k * k + 1);

      for (int pos = 0; pos < oh * ow; pos++)
        if (job->pooled[at + pos] > 0.f)
          {
            int a = job->arg[at + pos];
            int y = 2 * (pos / ow) + (a >> 1), x = 2 * (pos % ow) + (a & 1);
            float g = job->dpooled[at + pos];

            for (int ky = 0; ky < k; ky++)
              for (int kx = 0; kx < k; kx++)
                dw[ky * k + kx] += g * pad[(gsize) (y + ky) * stride + x + kx];
            dw[k * k] += g;
          }
    }
}

/* Rows of the window as vectors (k ≤ 7 of their 8 lanes used). */
C1_AVX2 static void
backward_image_avx2 (const Conv1Job *job,
                     int             n,
                     const float    *pad,
                     float          *partial)
{
  const CvlConvShape *s = job->s;
  int k = s->k, stride = pad_stride (s), oh = s->h / 2, ow = s->w / 2;

  for (int co = 0; co < s->c_out; co++)
    {
      gsize at = ((gsize) co * s->n + n) * oh * ow;
      float *dw = partial + (gsize) co * (k * k + 1);
      V8 acc[MAX_K] = { { 0 } };
      float bias = 0.f;

      for (int pos = 0; pos < oh * ow; pos++)
        if (job->pooled[at + pos] > 0.f)
          {
            int a = job->arg[at + pos];
            int y = 2 * (pos / ow) + (a >> 1), x = 2 * (pos % ow) + (a & 1);
            float g = job->dpooled[at + pos];
            const float *r = pad + (gsize) y * stride + x;

            for (int ky = 0; ky < k; ky++)
              {
                V8 row;

                memcpy (&row, r + (gsize) ky * stride, sizeof row);
                acc[ky] += g * row;
              }
            bias += g;
          }
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
          dw[ky * k + kx] += acc[ky][kx];
      dw[k * k] += bias;
    }
}

static void
backward_task (gpointer data,
               guint    task)
{
  Conv1Job *job = data;
  const CvlConvShape *s = job->s;
  int p = s->k / 2, first = task * IMAGES_PER_TASK, last = MIN (s->n, first + IMAGES_PER_TASK);
  gsize per = (gsize) s->c_out * (s->k * s->k + 1);
  float *partial = job->partial + task * per;
  g_autofree float *pad = g_malloc ((gsize) (s->h + 2 * p) * pad_stride (s) * sizeof (float));

  memset (partial, 0, per * sizeof (float));
  for (int n = first; n < last; n++)
    {
      pad_image (s, job->in + (gsize) n * s->h * s->w, pad);
      if (job->avx2)
        backward_image_avx2 (job, n, pad, partial);
      else
        backward_image_scalar (job, n, pad, partial);
    }
}

void
cvl_nn_conv1_pool_backward (const CvlConvShape *s,
                            const float        *in,
                            const float        *pooled,
                            const guint8       *arg,
                            const float        *dpooled,
                            float              *dweight,
                            float              *dbias)
{
  int k = s->k, kk = k * k, tasks = (s->n + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK;
  gsize per = (gsize) s->c_out * (kk + 1);
  g_autofree float *partial = g_malloc ((gsize) tasks * per * sizeof (float));
  Conv1Job job = { s, in, NULL, NULL, (float *) pooled, (guint8 *) arg, dpooled, partial,
                   NULL, use_avx2 (s) };

  g_return_if_fail (s->c_in == 1 && s->c_out <= MAX_CO && k % 2 == 1 && k <= MAX_K);
  g_return_if_fail (s->h % 2 == 0 && s->w % 2 == 0);

  cvl_parallel_for (tasks, (gsize) s->n * s->h * s->w * s->c_out < ((gsize) 1 << 16)
                           ? 1 : cvl_nn_get_threads (), backward_task, &job, NULL);
  /* The tasks' sums in task order. */
  for (int co = 0; co < s->c_out; co++)
    for (int t = 0; t <= kk; t++)
      {
        double sum = 0;

        for (int task = 0; task < tasks; task++)
          sum += partial[task * per + (gsize) co * (kk + 1) + t];
        if (t < kk)
          dweight[co * kk + t] = (float) sum;
        else
          dbias[co] = (float) sum;
      }
}
