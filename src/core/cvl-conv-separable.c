/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The separable engine: a rank-1 kernel (box, Gaussian, Sobel) as a
 * horizontal 1-D pass into a ring of rows and a vertical 1-D pass out of it,
 * 2k instead of k² multiply-adds per pixel, with every option of the direct engine. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-conv-private.h"
#include "cvl-parallel.h"

/* The direct engine's inner loops serve both passes: one pass is a
 * convolution with a 1×k or k×1 kernel. */
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define CVL_HAVE_X86_ISAS 1

/* Output rows per vertical block (see cvl-conv-separable-span.h). */
#define VSPAN_ROWS 4

#define SPAN_SUFFIX avx512
#define SPAN_VEC_BYTES 64
#define SPAN_TARGET "avx512f,avx2,fma"
#include "cvl-conv-separable-span.h"
#include "cvl-conv-direct-span.h"

#define SPAN_SUFFIX avx2
#define SPAN_VEC_BYTES 32
#define SPAN_TARGET "avx2,fma"
#include "cvl-conv-separable-span.h"
#include "cvl-conv-direct-span.h"
#endif

#define SPAN_SUFFIX generic
#define SPAN_VEC_BYTES 16
#include "cvl-conv-separable-span.h"
#include "cvl-conv-direct-span.h"

typedef void (*SpanStride1) (float *out, int n, const float *const *src, const float *w,
                             int n_taps, float scale, float offset);
typedef void (*SpanStrided) (float *out, int n, int stride, const float *const *src,
                             const float *w, int n_taps, float *acc, float scale, float offset);

typedef void (*VSpanRows) (float *const *out, int n, const float *const *rows,
                           const float *w_ext, int k, float scale, float offset);

typedef struct
{
  const char  *name;
  SpanStride1  stride1;
  SpanStride1  stride1_stream;  /* the same with streaming (non-temporal) stores */
  SpanStrided  strided;
  VSpanRows    rows;
  VSpanRows    rows_stream;
} Isa;

static const Isa isas[] = {
#ifdef CVL_HAVE_X86_ISAS
  { "avx512", span_stride1_avx512, span_stride1_stream_avx512, span_strided_avx512,
    vspan_rows_avx512, vspan_rows_stream_avx512 },
  { "avx2", span_stride1_avx2, span_stride1_stream_avx2, span_strided_avx2,
    vspan_rows_avx2, vspan_rows_stream_avx2 },
#endif
  { "generic", span_stride1_generic, span_stride1_stream_generic, span_strided_generic,
    vspan_rows_generic, vspan_rows_stream_generic },
};

/* Floats of ring per task: the rows of one vertical window should stay in
 * the core's own cache while the vertical pass reads them. */
#define RING_BUDGET (64 * 1024)
#define MIN_STRIPE  256

/* The largest weight's row and column give the factors; the kernel is rank 1
 * when their outer product rebuilds every weight to 1e-6 of that weight. */
gboolean
cvl_conv_kernel_factor (const CvlKernel *kernel,
                        float           *col,
                        float           *row)
{
  int kh = kernel->height, kw = kernel->width;
  int r0 = 0, c0 = 0;
  double max = 0, pivot;

  for (int y = 0; y < kh; y++)
    for (int x = 0; x < kw; x++)
      if (fabs (cvl_kernel_get (kernel, y, x)) > max)
        {
          max = fabs (cvl_kernel_get (kernel, y, x));
          r0 = y;
          c0 = x;
        }

  if (!(max > 0) || !isfinite (max))
    {
      /* All zeros factor trivially; NaN never does. */
      if (max == 0)
        {
          for (int y = 0; y < kh && col != NULL; y++)
            col[y] = 0;
          for (int x = 0; x < kw && row != NULL; x++)
            row[x] = 0;
        }
      return max == 0;
    }

  pivot = cvl_kernel_get (kernel, r0, c0);
  for (int y = 0; y < kh; y++)
    for (int x = 0; x < kw; x++)
      {
        double rebuilt = cvl_kernel_get (kernel, y, c0) *
                         ((double) cvl_kernel_get (kernel, r0, x) / pivot);

        if (fabs (cvl_kernel_get (kernel, y, x) - rebuilt) > 1e-6 * max)
          return FALSE;
      }

  for (int y = 0; y < kh && col != NULL; y++)
    col[y] = cvl_kernel_get (kernel, y, c0);
  for (int x = 0; x < kw && row != NULL; x++)
    row[x] = (float) (cvl_kernel_get (kernel, r0, x) / pivot);

  return TRUE;
}

gboolean
cvl_conv_kernel_is_separable (const CvlKernel *kernel)
{
  g_return_val_if_fail (kernel != NULL && kernel->values != NULL, FALSE);

  return cvl_conv_kernel_factor (kernel, NULL, NULL);
}

typedef struct
{
  const CvlConvJob *job;
  const Isa        *isa;
  const int        *row_map;    /* virtual row → image row or -1 */
  const int        *col_map;    /* virtual column → image column or -1 */
  const float      *col_w;      /* [kh], flipped for true convolution */
  const float      *col_w_ext;  /* col_w with VSPAN_ROWS − 1 zeros either side */
  gboolean          blocked;    /* vertical pass VSPAN_ROWS rows at a time */
  /* horizontal taps with a non-zero weight */
  const int        *h_dx;       /* virtual column offset kx·dilation */
  const float      *h_w;
  int               n_h_taps;
  int               col_begin;  /* interior output columns, as in the direct engine */
  int               col_end;
  int               stripe_w;   /* output columns per task */
  int               n_stripes;
  int               band_h;     /* output rows per task */
  int               n_bands;
  float             scale;
  gboolean          stream;     /* streaming stores, see cvl_conv_job_streams() */
} Plan;

/* One virtual row through the horizontal taps into `dst`, output columns
 * [x_begin, x_end) of the stripe starting at x0. */
static void
horizontal_row (const Plan   *plan,
                const float  *src,
                float        *dst,
                int           x0,
                int           x_begin,
                int           x_end,
                const float **taps,
                float        *acc)
{
  const CvlConvJob *job = plan->job;
  int stride = job->options->stride_w;
  int in_begin = MAX (x_begin, plan->col_begin);
  int in_end = MIN (x_end, plan->col_end);

  for (int ox = x_begin; ox < x_end; ox++)
    {
      const int *cols;
      float a = 0;

      if (ox == in_begin && in_end > in_begin)
        {
          ox = in_end - 1;
          continue;
        }

      cols = plan->col_map + ox * stride;
      for (int t = 0; t < plan->n_h_taps; t++)
        {
          int x = cols[plan->h_dx[t]];

          if (x >= 0)
            a += plan->h_w[t] * src[x];
        }
      dst[ox - x0] = a;
    }

  if (in_end > in_begin)
    {
      const float *first = src + in_begin * stride - job->geometry.pad_left;

      for (int t = 0; t < plan->n_h_taps; t++)
        taps[t] = first + plan->h_dx[t];

      if (stride == 1)
        plan->isa->stride1 (dst + in_begin - x0, in_end - in_begin, taps, plan->h_w,
                            plan->n_h_taps, 1.0f, 0.0f);
      else
        plan->isa->strided (dst + in_begin - x0, in_end - in_begin, stride, taps, plan->h_w,
                            plan->n_h_taps, acc, 1.0f, 0.0f);
    }
}

/* One task: a band of output rows of one stripe of one channel. Horizontal
 * results live in a ring of k_eff rows indexed by virtual row modulo k_eff, so
 * each virtual row is filtered once per band. */
static void
run_task (gpointer data,
          guint    task)
{
  const Plan *plan = data;
  const CvlConvJob *job = plan->job;
  const CvlConvGeometry *g = &job->geometry;
  const CvlConvOptions *o = job->options;
  const CvlKernel *k = job->kernel;
  int channel = task / (plan->n_stripes * plan->n_bands);
  int stripe = task / plan->n_bands % plan->n_stripes;
  int band = task % plan->n_bands;
  int x0 = stripe * plan->stripe_w;
  int x1 = MIN (x0 + plan->stripe_w, g->out_w);
  int y0 = band * plan->band_h;
  int y1 = MIN (y0 + plan->band_h, g->out_h);
  int ring_rows = g->k_eff_h + (plan->blocked ? VSPAN_ROWS - 1 : 0);
  int width = x1 - x0;
  const float *plane = cvl_image_plane (job->in, channel);
  float *out = cvl_image_plane (job->out, channel);
  g_autofree float *ring = g_new (float, (gsize) ring_rows * width);
  g_autofree float *acc = o->stride_w > 1 ? g_new (float, width) : NULL;
  g_autofree const float **taps = g_new (const float *, MAX (plan->n_h_taps, ring_rows));
  g_autofree float *v_w = g_new (float, k->height);
  int next_v = y0 * o->stride_h;
  int oy = y0;

  while (oy < y1)
    {
      gboolean block = plan->blocked && oy + VSPAN_ROWS <= y1;
      int base = oy * o->stride_h;
      int window = block ? k->height + VSPAN_ROWS - 1 : g->k_eff_h;
      int n = 0;

      for (int v = MAX (next_v, base); v < base + window; v++)
        {
          int y = plan->row_map[v];

          if (y >= 0)
            horizontal_row (plan, plane + (gsize) y * job->in->width,
                            ring + (gsize) (v % ring_rows) * width, x0, x0, x1, taps, acc);
        }
      next_v = MAX (next_v, base + window);

      if (block)
        {
          /* Stride and dilation 1 here: ring rows base … base + k + 3. */
          float *outs[VSPAN_ROWS];
          gboolean aligned = TRUE;

          for (int j = 0; j < window; j++)
            taps[j] = plan->row_map[base + j] < 0
              ? NULL : ring + (gsize) ((base + j) % ring_rows) * width;
          for (int r = 0; r < VSPAN_ROWS; r++)
            {
              outs[r] = out + (gsize) (oy + r) * g->out_w + x0;
              aligned = aligned && (guintptr) outs[r] % 64 == 0;
            }

          (plan->stream && aligned ? plan->isa->rows_stream : plan->isa->rows)
            (outs, width, taps, plan->col_w_ext, k->height, plan->scale, k->offset);
          oy += VSPAN_ROWS;
          continue;
        }

      for (int ky = 0; ky < k->height; ky++)
        {
          int v = base + ky * o->dilation_h;

          if (plan->row_map[v] < 0 || plan->col_w[ky] == 0)
            continue;
          taps[n] = ring + (gsize) (v % ring_rows) * width;
          v_w[n] = plan->col_w[ky];
          n++;
        }

      (plan->stream ? plan->isa->stride1_stream : plan->isa->stride1)
        (out + (gsize) oy * g->out_w + x0, width, taps, v_w, n, plan->scale, k->offset);
      oy++;
    }

  if (plan->stream)
    cvl_conv_store_fence ();
}

void
cvl_conv_separable_layout (const CvlConvGeometry *g,
                           int                    k_h,
                           const CvlConvOptions  *o,
                           int                    channels,
                           int                    n_threads,
                           CvlSeparableLayout    *layout)
{
  int ring_rows, n_bands;

  /* Four output rows share their ring rows only when consecutive outputs
   * read consecutive rows; short columns gain little from it. */
  layout->blocked = o->stride_h == 1 && o->dilation_h == 1 && k_h >= 5;
  ring_rows = g->k_eff_h + (layout->blocked ? VSPAN_ROWS - 1 : 0);

  /* Stripes keep the ring near the core; bands give every thread several
   * tasks, but each band re-filters k_eff − stride rows, so not too short. */
  layout->stripe_w = MAX (RING_BUDGET / ring_rows / 64 * 64, MIN_STRIPE);
  layout->stripe_w = MIN (layout->stripe_w, g->out_w);
  layout->n_stripes = (g->out_w + layout->stripe_w - 1) / layout->stripe_w;
  n_bands = MAX (8 * n_threads / (channels * layout->n_stripes), 1);
  layout->band_h = MAX ((g->out_h + n_bands - 1) / n_bands,
                        MAX (4 * g->k_eff_h / o->stride_h, 8));
  layout->band_h = MIN (layout->band_h, g->out_h);
  layout->n_bands = (g->out_h + layout->band_h - 1) / layout->band_h;
}

gboolean
cvl_conv_separable (const CvlConvJob *job,
                    const float      *col,
                    const float      *row)
{
  const CvlConvGeometry *g = &job->geometry;
  const CvlConvOptions *o = job->options;
  const CvlKernel *k = job->kernel;
  int kh = k->height, kw = k->width;
  g_autofree int *row_map = cvl_conv_border_map ((g->out_h - 1) * o->stride_h + g->k_eff_h,
                                        g->pad_top, job->in->height, o->border);
  g_autofree int *col_map = cvl_conv_border_map ((g->out_w - 1) * o->stride_w + g->k_eff_w,
                                        g->pad_left, job->in->width, o->border);
  g_autofree float *col_w = g_new (float, kh);
  g_autofree float *col_w_ext = g_new0 (float, kh + 2 * (VSPAN_ROWS - 1));
  g_autofree float *h_w = g_new (float, kw);
  g_autofree int *h_dx = g_new (int, kw);
  const char *isa_name = cvl_conv_direct_get_isa ();
  Plan plan = { job, &isas[G_N_ELEMENTS (isas) - 1], row_map, col_map, col_w, col_w_ext };
  CvlSeparableLayout layout;
  int last_start;

  for (gsize i = 0; i < G_N_ELEMENTS (isas); i++)
    if (g_str_equal (isas[i].name, isa_name))
      plan.isa = &isas[i];

  plan.h_dx = h_dx;
  plan.h_w = h_w;
  for (int y = 0; y < kh; y++)
    {
      col_w[y] = col[o->flip ? kh - 1 - y : y];
      col_w_ext[VSPAN_ROWS - 1 + y] = col_w[y];
    }

  for (int x = 0; x < kw; x++)
    {
      float w = row[o->flip ? kw - 1 - x : x];

      if (w == 0)
        continue;
      h_dx[plan.n_h_taps] = x * o->dilation_w;
      h_w[plan.n_h_taps] = w;
      plan.n_h_taps++;
    }

  last_start = job->in->width - g->k_eff_w + g->pad_left;
  plan.col_begin = MIN ((g->pad_left + o->stride_w - 1) / o->stride_w, g->out_w);
  plan.col_end = last_start < 0 ? 0 : MIN (last_start / o->stride_w + 1, g->out_w);
  plan.col_end = MAX (plan.col_end, plan.col_begin);
  plan.scale = 1.0f / k->divisor;
  plan.stream = cvl_conv_job_streams (job);

  cvl_conv_separable_layout (g, k->height, o, job->in->channels, cvl_conv_get_threads (),
                             &layout);
  plan.blocked = layout.blocked;
  plan.stripe_w = layout.stripe_w;
  plan.n_stripes = layout.n_stripes;
  plan.band_h = layout.band_h;
  plan.n_bands = layout.n_bands;

  return cvl_parallel_for (job->in->channels * plan.n_stripes * plan.n_bands,
                           cvl_conv_get_threads (), run_task, &plan, job->cancellable);
}
