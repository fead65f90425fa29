/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The direct engine: threaded over blocks of output rows, with a register-
 * blocked, vectorised inner loop for the interior columns of each row and a
 * scalar path through precomputed border maps for the rest. */
#include "config.h"

#include <string.h>

#include "cvl-conv-private.h"
#include "cvl-parallel.h"

/* Output rows per task: as many as still leave TASKS_PER_THREAD tasks per
 * thread (to balance them), at most MAX_ROWS_PER_TASK. Long runs of rows
 * share their input rows in cache and keep the prefetchers on one stream:
 * 64 rows a task are 5% faster than 16 on a 12 MP image. A multiple of 4
 * (the 3×3 path's row quads). */
#define MAX_ROWS_PER_TASK 64
#define MIN_ROWS_PER_TASK 4
#define TASKS_PER_THREAD  8

/* The inner loops, once per instruction set; the widest one the CPU has is
 * picked at run time, so the build never needs -march. */
typedef void (*SpanStride1) (float *out, int n, const float *const *src, const float *w,
                             int n_taps, float scale, float offset);
typedef void (*SpanStrided) (float *out, int n, int stride, const float *const *src,
                             const float *w, int n_taps, float *acc, float scale, float offset);
typedef void (*Span3x3) (float *const *out, int n, const float *const *rows, const float *w,
                         float offset);

typedef struct
{
  const char  *name;
  SpanStride1  stride1;
  SpanStride1  stride1_stream;  /* the same with streaming (non-temporal) stores */
  SpanStrided  strided;
  Span3x3      k3x3;            /* 3×3, four output rows at once */
  Span3x3      k3x3_stream;
} Isa;

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define CVL_HAVE_X86_ISAS 1

#define SPAN_SUFFIX avx512
#define SPAN_VEC_BYTES 64
#define SPAN_TARGET "avx512f,avx2,fma"
#include "cvl-conv-direct-span.h"

#define SPAN_SUFFIX avx2
#define SPAN_VEC_BYTES 32
#define SPAN_TARGET "avx2,fma"
#include "cvl-conv-direct-span.h"
#endif

#define SPAN_SUFFIX generic
#define SPAN_VEC_BYTES 16
#include "cvl-conv-direct-span.h"

static const Isa isas[] = {
#ifdef CVL_HAVE_X86_ISAS
  { "avx512", span_stride1_avx512, span_stride1_stream_avx512, span_strided_avx512,
    span_3x3_avx512, span_3x3_stream_avx512 },
  { "avx2", span_stride1_avx2, span_stride1_stream_avx2, span_strided_avx2,
    span_3x3_avx2, span_3x3_stream_avx2 },
#endif
  { "generic", span_stride1_generic, span_stride1_stream_generic, span_strided_generic,
    span_3x3_generic, span_3x3_stream_generic },
};

static const Isa *current_isa; /* atomic */

static gboolean
isa_supported (const Isa *isa)
{
#ifdef CVL_HAVE_X86_ISAS
  __builtin_cpu_init ();
  if (g_str_equal (isa->name, "avx512"))
    return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("fma");
  if (g_str_equal (isa->name, "avx2"))
    return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#endif
  return TRUE;
}

static const Isa *
get_isa (void)
{
  const Isa *isa = g_atomic_pointer_get (&current_isa);

  if (G_UNLIKELY (isa == NULL))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (isas) && isa == NULL; i++)
        if (isa_supported (&isas[i]))
          isa = &isas[i];
      g_atomic_pointer_set (&current_isa, isa);
    }

  return isa;
}

const char *
cvl_conv_direct_get_isa (void)
{
  return get_isa ()->name;
}

gboolean
cvl_conv_direct_set_isa (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (isas); i++)
    if (g_strcmp0 (isas[i].name, name) == 0 || (name == NULL && isa_supported (&isas[i])))
      {
        if (!isa_supported (&isas[i]))
          return FALSE;
        g_atomic_pointer_set (&current_isa, &isas[i]);
        return TRUE;
      }

  return FALSE;
}

typedef struct
{
  const CvlConvJob *job;
  const float      *weights;   /* [kh, kw], already flipped for true convolution */
  const float      *scaled;    /* the same times `scale` (3×3 rows) */
  const int        *row_map;   /* virtual input row (0 = first padded row) → row or -1 */
  const int        *col_map;   /* same for columns */
  int               col_begin; /* interior output columns: every tap inside the row */
  int               col_end;
  int               rows_per_task;
  int               n_row_blocks;
  float             scale;     /* 1 / divisor */
  const Isa        *isa;
  gboolean          stream;    /* streaming stores, see cvl_conv_job_streams() */
  gboolean          quads_3x3; /* 3×3, stride and dilation 1: isa->k3x3 on four rows */
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
      out[ox] = a * plan->scale + k->offset;
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
  int first_row = task % plan->n_row_blocks * plan->rows_per_task;
  int last_row = MIN (first_row + plan->rows_per_task, g->out_h);
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

      if (plan->quads_3x3 && oy + 3 < last_row &&
          plan->row_map[oy] >= 0 && plan->row_map[oy + 5] >= 0)
        {
          /* Input rows oy … oy + 5 (none reads as zero: only the zero
           * border maps to -1, and only at the ends) feed rows oy … oy + 3. */
          float *outs[4];
          const float *rows[10];
          gboolean aligned = (g->out_w * sizeof (float)) % 64 == 0;

          for (int j = 0; j < 4; j++)
            {
              outs[j] = out + (gsize) j * g->out_w;
              if (j > 0)
                {
                  collect_taps (plan, plane, oy + j, &taps);
                  border_columns (plan, &taps, outs[j], 0, plan->col_begin);
                  border_columns (plan, &taps, outs[j], plan->col_end, g->out_w);
                }
              outs[j] += plan->col_begin;
            }
          for (int j = 0; j < 6; j++)
            rows[j] = plane + (gsize) plan->row_map[oy + j] * job->in->width + x0;
          /* The rows the next four outputs add (when inside this task). */
          for (int j = 6; j < 10; j++)
            rows[j] = oy + 4 + 3 < last_row && plan->row_map[oy + 4 + 5] >= 0
              ? plane + (gsize) plan->row_map[oy + j] * job->in->width + x0 : NULL;
          (plan->stream && aligned ? plan->isa->k3x3_stream : plan->isa->k3x3)
            (outs, n_interior, rows, plan->scaled, k->offset);
          oy += 3;
          continue;
        }

      for (int t = 0; t < taps.n; t++)
        taps.src[t] = taps.row[t] + x0 + taps.dx[t];

      if (o->stride_w == 1)
        (plan->stream ? plan->isa->stride1_stream : plan->isa->stride1)
          (out + plan->col_begin, n_interior, taps.src, taps.w, taps.n, plan->scale, k->offset);
      else
        plan->isa->strided (out + plan->col_begin, n_interior, o->stride_w, taps.src, taps.w,
                            taps.n, taps.acc, plan->scale, k->offset);
    }

  if (plan->stream)
    cvl_conv_store_fence ();

  g_free (taps.row);
  g_free (taps.src);
  g_free (taps.dx);
  g_free (taps.w);
  g_free (taps.acc);
}

gboolean
cvl_conv_direct (const CvlConvJob *job)
{
  const CvlConvGeometry *g = &job->geometry;
  const CvlConvOptions *o = job->options;
  const CvlKernel *k = job->kernel;
  g_autofree float *weights = g_memdup2 (k->values, (gsize) k->width * k->height * sizeof (float));
  g_autofree int *row_map = cvl_conv_border_map ((g->out_h - 1) * o->stride_h + g->k_eff_h,
                                        g->pad_top, job->in->height, o->border);
  g_autofree int *col_map = cvl_conv_border_map ((g->out_w - 1) * o->stride_w + g->k_eff_w,
                                        g->pad_left, job->in->width, o->border);
  g_autofree float *scaled = g_new (float, (gsize) k->width * k->height);
  Plan plan = { job, weights, scaled, row_map, col_map };
  int n_threads = cvl_conv_get_threads ();
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
  plan.rows_per_task = MAX_ROWS_PER_TASK;
  while (plan.rows_per_task > MIN_ROWS_PER_TASK &&
         (gint64) (g->out_h + plan.rows_per_task - 1) / plan.rows_per_task * job->in->channels <
         (gint64) TASKS_PER_THREAD * n_threads)
    plan.rows_per_task /= 2;
  plan.n_row_blocks = (g->out_h + plan.rows_per_task - 1) / plan.rows_per_task;
  plan.scale = 1.0f / k->divisor;
  for (int i = 0; i < k->width * k->height; i++)
    scaled[i] = weights[i] * plan.scale;
  plan.isa = get_isa ();
  plan.stream = cvl_conv_job_streams (job);
  plan.quads_3x3 = cvl_conv_direct_uses_3x3 (k, o, job->in->width, g->out_w);

  return cvl_parallel_for (plan.n_row_blocks * job->in->channels,
                           n_threads, run_task, &plan, job->cancellable);
}
