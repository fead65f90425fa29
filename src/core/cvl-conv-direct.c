/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The direct engine: threaded over blocks of output rows, with a register-
 * blocked, vectorised inner loop for the interior columns of each row and a
 * scalar path through precomputed border maps for the rest. */
#include "config.h"

#include <string.h>

#include "cvl-conv-private.h"
#include "cvl-parallel.h"

/* Output rows per task: small enough to balance two to a few dozen threads,
 * large enough that consecutive rows share their input rows in cache. */
#define ROWS_PER_TASK 16

/* Built for AVX-512, AVX2+FMA and baseline x86-64; the loader picks one. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define CVL_TARGET_CLONES \
  __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CVL_TARGET_CLONES
#endif

/* 16 floats: one AVX-512 register, two AVX ones, four SSE ones. */
typedef float Vec __attribute__ ((vector_size (64)));
#define VEC_LEN ((int) (sizeof (Vec) / sizeof (float)))

typedef struct
{
  const CvlConvJob *job;
  const float      *weights;   /* [kh, kw], already flipped for true convolution */
  const int        *row_map;   /* virtual input row (0 = first padded row) → row or -1 */
  const int        *col_map;   /* same for columns */
  int               col_begin; /* interior output columns: every tap inside the row */
  int               col_end;
  int               n_row_blocks;
} Plan;

/* The taps of one output row: an input row, a column offset and a weight,
 * skipping zero weights and rows that read as zero. */
typedef struct
{
  const float **row;
  int          *dx;
  float        *w;
  const float **src;  /* interior: row + first input column of the span */
  float        *acc;  /* strided interior: one accumulator per output column */
  int           n;
} Taps;

/* out[x] = Σ_t w[t] · src[t][x] / divisor + offset over x in [0, n), four
 * vectors at a time so the accumulators stay in registers across the taps. */
CVL_TARGET_CLONES static void
span_stride1 (float              *restrict out,
              int                 n,
              const float *const *restrict src,
              const float        *restrict w,
              int                 n_taps,
              float               divisor,
              float               offset)
{
  int x = 0;

#define LOAD(p) ({ Vec v_; memcpy (&v_, (p), sizeof v_); v_; })
#define STORE(p, v) do { Vec s_ = (v) / divisor + offset; memcpy ((p), &s_, sizeof s_); } while (0)

  for (; x + 4 * VEC_LEN <= n; x += 4 * VEC_LEN)
    {
      Vec a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };

      for (int t = 0; t < n_taps; t++)
        {
          const float *s = src[t] + x;
          float wt = w[t];

          a0 += wt * LOAD (s);
          a1 += wt * LOAD (s + VEC_LEN);
          a2 += wt * LOAD (s + 2 * VEC_LEN);
          a3 += wt * LOAD (s + 3 * VEC_LEN);
        }

      STORE (out + x, a0);
      STORE (out + x + VEC_LEN, a1);
      STORE (out + x + 2 * VEC_LEN, a2);
      STORE (out + x + 3 * VEC_LEN, a3);
    }

  for (; x + VEC_LEN <= n; x += VEC_LEN)
    {
      Vec a = { 0 };

      for (int t = 0; t < n_taps; t++)
        a += w[t] * LOAD (src[t] + x);
      STORE (out + x, a);
    }

#undef LOAD
#undef STORE

  for (; x < n; x++)
    {
      float a = 0;

      for (int t = 0; t < n_taps; t++)
        a += w[t] * src[t][x];
      out[x] = a / divisor + offset;
    }
}

/* The same with a column stride: one pass per tap over an accumulator row. */
CVL_TARGET_CLONES static void
span_strided (float              *restrict out,
              int                 n,
              int                 stride,
              const float *const *restrict src,
              const float        *restrict w,
              int                 n_taps,
              float              *restrict acc,
              float               divisor,
              float               offset)
{
  for (int x = 0; x < n; x++)
    acc[x] = 0;

  for (int t = 0; t < n_taps; t++)
    {
      const float *restrict s = src[t];
      float wt = w[t];

      for (int x = 0; x < n; x++)
        acc[x] += wt * s[x * stride];
    }

  for (int x = 0; x < n; x++)
    out[x] = acc[x] / divisor + offset;
}

/* Columns where some tap falls outside the row, through the border map. */
static void
border_columns (const Plan  *plan,
                const Taps  *taps,
                float       *out,
                int          begin,
                int          end)
{
  const CvlKernel *k = plan->job->kernel;
  int stride = plan->job->options->stride_w;

  for (int ox = begin; ox < end; ox++)
    {
      const int *cols = plan->col_map + ox * stride;
      float a = 0;

      for (int t = 0; t < taps->n; t++)
        {
          int x = cols[taps->dx[t]];

          if (x >= 0)
            a += taps->w[t] * taps->row[t][x];
        }
      out[ox] = a / k->divisor + k->offset;
    }
}

static void
collect_taps (const Plan  *plan,
              const float *plane,
              int          oy,
              Taps        *taps)
{
  const CvlConvJob *job = plan->job;
  const CvlKernel *k = job->kernel;
  const CvlConvOptions *o = job->options;
  const int *rows = plan->row_map + oy * o->stride_h;

  taps->n = 0;
  for (int ky = 0; ky < k->height; ky++)
    {
      int y = rows[ky * o->dilation_h];

      if (y < 0)
        continue;

      for (int kx = 0; kx < k->width; kx++)
        {
          float w = plan->weights[ky * k->width + kx];

          if (w == 0)
            continue;

          taps->row[taps->n] = plane + (gsize) y * job->in->width;
          taps->dx[taps->n] = kx * o->dilation_w;
          taps->w[taps->n] = w;
          taps->n++;
        }
    }
}

static void
run_task (gpointer data,
          guint    task)
{
  const Plan *plan = data;
  const CvlConvJob *job = plan->job;
  const CvlConvGeometry *g = &job->geometry;
  const CvlConvOptions *o = job->options;
  const CvlKernel *k = job->kernel;
  int channel = task / plan->n_row_blocks;
  int first_row = task % plan->n_row_blocks * ROWS_PER_TASK;
  int last_row = MIN (first_row + ROWS_PER_TASK, g->out_h);
  int n_interior = plan->col_end - plan->col_begin;
  gsize max_taps = (gsize) k->width * k->height;
  const float *plane = cvl_image_plane (job->in, channel);
  Taps taps;

  taps.row = g_new (const float *, max_taps);
  taps.src = g_new (const float *, max_taps);
  taps.dx = g_new (int, max_taps);
  taps.w = g_new (float, max_taps);
  taps.acc = o->stride_w > 1 ? g_new (float, MAX (n_interior, 1)) : NULL;

  for (int oy = first_row; oy < last_row; oy++)
    {
      float *out = cvl_image_plane (job->out, channel) + (gsize) oy * g->out_w;
      int x0 = plan->col_begin * o->stride_w - g->pad_left;

      collect_taps (plan, plane, oy, &taps);
      border_columns (plan, &taps, out, 0, plan->col_begin);
      border_columns (plan, &taps, out, plan->col_end, g->out_w);

      if (n_interior <= 0)
        continue;

      for (int t = 0; t < taps.n; t++)
        taps.src[t] = taps.row[t] + x0 + taps.dx[t];

      if (o->stride_w == 1)
        span_stride1 (out + plan->col_begin, n_interior, taps.src, taps.w, taps.n,
                      k->divisor, k->offset);
      else
        span_strided (out + plan->col_begin, n_interior, o->stride_w, taps.src, taps.w,
                      taps.n, taps.acc, k->divisor, k->offset);
    }

  g_free (taps.row);
  g_free (taps.src);
  g_free (taps.dx);
  g_free (taps.w);
  g_free (taps.acc);
}

/* Virtual coordinates v = o·stride + k·dilation (0 is the first padded pixel)
 * mapped to image coordinates by the border rule. */
static int *
border_map (int       n_virtual,
            int       pad_before,
            int       n,
            CvlBorder border)
{
  int *map = g_new (int, n_virtual);

  for (int v = 0; v < n_virtual; v++)
    map[v] = cvl_conv_border_index (v - pad_before, n, border);

  return map;
}

gboolean
cvl_conv_direct (const CvlConvJob *job)
{
  const CvlConvGeometry *g = &job->geometry;
  const CvlConvOptions *o = job->options;
  const CvlKernel *k = job->kernel;
  g_autofree float *weights = g_memdup2 (k->values, (gsize) k->width * k->height * sizeof (float));
  g_autofree int *row_map = border_map ((g->out_h - 1) * o->stride_h + g->k_eff_h,
                                        g->pad_top, job->in->height, o->border);
  g_autofree int *col_map = border_map ((g->out_w - 1) * o->stride_w + g->k_eff_w,
                                        g->pad_left, job->in->width, o->border);
  Plan plan = { job, weights, row_map, col_map };
  int last_start;

  if (o->flip)
    {
      gsize n = (gsize) k->width * k->height;

      for (gsize i = 0; i < n; i++)
        weights[i] = k->values[n - 1 - i];
    }

  /* Interior: ox·s − pad_left ≥ 0 and ox·s − pad_left + k_eff − 1 ≤ W − 1. */
  last_start = job->in->width - g->k_eff_w + g->pad_left;
  plan.col_begin = MIN ((g->pad_left + o->stride_w - 1) / o->stride_w, g->out_w);
  plan.col_end = last_start < 0 ? 0 : MIN (last_start / o->stride_w + 1, g->out_w);
  plan.col_end = MAX (plan.col_end, plan.col_begin);
  plan.n_row_blocks = (g->out_h + ROWS_PER_TASK - 1) / ROWS_PER_TASK;

  return cvl_parallel_for (plan.n_row_blocks * job->in->channels,
                           cvl_conv_get_threads (), run_task, &plan, job->cancellable);
}
