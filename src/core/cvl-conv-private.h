/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What cvl-conv.c hands to an engine: the checked inputs of one cvl_conv2d()
 * call with its geometry worked out and the output already sized. */
#pragma once

#include "cvl-conv.h"

G_BEGIN_DECLS

typedef struct
{
  const CvlImage       *in;        /* [C, H, W] */
  const CvlKernel      *kernel;
  const CvlConvOptions *options;   /* validated */
  CvlConvGeometry       geometry;  /* non-empty */
  CvlImage             *out;       /* [C, out_h, out_w] */
  GCancellable         *cancellable;
} CvlConvJob;

/* Outputs at least this large (all channels) are written with streaming
 * stores: they cannot stay in the cache anyway, and a normal store first
 * reads every line it writes (a third of a 3×3 filter's memory traffic). */
#define CVL_CONV_STREAM_BYTES ((gsize) 32 << 20)

static inline gboolean
cvl_conv_job_streams (const CvlConvJob *job)
{
  return (gsize) job->geometry.out_w * job->geometry.out_h * job->in->channels *
         sizeof (float) >= CVL_CONV_STREAM_BYTES;
}

/* Orders a task's streaming stores before the task is reported done. */
static inline void
cvl_conv_store_fence (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_sfence ();
#endif
}

/* Whether the direct engine runs a job through its 3×3 path (four output
 * rows at once). Not when rows are a multiple of (nearly) 4 KiB apart, as in
 * a 4096-pixel-wide image: the six input and four output rows then share
 * the same few cache sets and evict each other (ten times slower measured);
 * the row-at-a-time path keeps four rows live and is unaffected. */
static inline gboolean
cvl_conv_direct_uses_3x3 (const CvlKernel      *kernel,
                          const CvlConvOptions *options,
                          int                   in_w,
                          int                   out_w)
{
  if (kernel->width != 3 || kernel->height != 3 || options->stride_h != 1 ||
      options->stride_w != 1 || options->dilation_h != 1 || options->dilation_w != 1)
    return FALSE;

  for (int rows = 1; rows < 10; rows++)
    {
      gsize in_gap = (gsize) rows * in_w * sizeof (float) % 4096;
      gsize out_gap = (gsize) rows * out_w * sizeof (float) % 4096;

      if (MIN (in_gap, 4096 - in_gap) < 64 || MIN (out_gap, 4096 - out_gap) < 64)
        return FALSE;
    }

  return TRUE;
}

/* All return FALSE only when cancelled. */
gboolean cvl_conv_naive     (const CvlConvJob *job);
gboolean cvl_conv_direct    (const CvlConvJob *job);
/* col [kernel->height] and row [kernel->width] are the factors of a rank-1
 * kernel (k[y][x] = col[y]·row[x]), as cvl_conv_kernel_factor() gives them. */
gboolean cvl_conv_separable (const CvlConvJob *job,
                             const float      *col,
                             const float      *row);
gboolean cvl_conv_fft       (const CvlConvJob *job);

/* How the separable engine splits a job: `blocked` runs the vertical pass four
 * output rows at a time; tasks are channels × stripes × bands. */
typedef struct
{
  gboolean blocked;
  int      stripe_w, n_stripes;
  int      band_h, n_bands;
} CvlSeparableLayout;

void     cvl_conv_separable_layout (const CvlConvGeometry *geometry,
                                    int                    k_h,
                                    const CvlConvOptions  *options,
                                    int                    channels,
                                    int                    n_threads,
                                    CvlSeparableLayout    *layout);

/* The rank-1 test behind cvl_conv_kernel_is_separable(), with the factors
 * (either may be NULL). */
gboolean cvl_conv_kernel_factor (const CvlKernel *kernel,
                                 float           *col,
                                 float           *row);

/* The FFT engine's tiles: sides it may use (2^a·{1,3,5}, ascending), and the
 * tile it picks for a job, with the cost model's estimate in ns. */
#define CVL_FFT_N_SIZES 20
extern const int cvl_fft_sizes[CVL_FFT_N_SIZES];

typedef struct
{
  int    tile_h, tile_w;     /* FFT size */
  int    n_tiles;            /* over all channels and dilation phases */
  double cost_ns;
} CvlFftTiling;

void   cvl_conv_fft_choose_tiling (int                    in_h,
                                   int                    in_w,
                                   int                    channels,
                                   int                    k_h,
                                   int                    k_w,
                                   const CvlConvOptions  *options,
                                   int                    n_threads,
                                   CvlFftTiling          *tiling);

/* Time per tile pair of transforms (forward, product, inverse, gather and
 * scatter) for a square tile of side cvl_fft_sizes[i], one thread, in ns.
 * For calibration; FALSE when cancelled. */
gboolean cvl_conv_fft_time_tile   (int                    size_index,
                                   double                *ns,
                                   GCancellable          *cancellable);
/* Tests: force the FFT tile size (any side ≥ the kernel's); 0, 0 restores
 * the cost model's choice. */
void     cvl_conv_fft_set_tile_override (int              tile_h,
                                         int              tile_w);
/* Writes FFTW's accumulated wisdom to the cache folder (atomically). */
gboolean cvl_conv_fft_save_wisdom (GError               **error);

/* The cost model behind AUTO: estimated ns for one engine (never AUTO), with
 * separability already decided by the caller. For tests and benchmarks. */
double   cvl_conv_estimate_ns     (CvlEngine              engine,
                                   int                    in_h,
                                   int                    in_w,
                                   int                    channels,
                                   const CvlKernel       *kernel,
                                   const CvlConvOptions  *options);
/* Forget the in-memory model (tests): the next use reloads the cache file. */
void     cvl_conv_cost_model_reset (void);
/* Path of the cost model's cache file (tests). */
char    *cvl_conv_cost_model_path  (void);

/* The instruction set of the direct engine's inner loops: "avx512", "avx2"
 * or "generic". Setting one the CPU lacks returns FALSE; NULL picks the
 * best again. For tests and benchmarks. */
const char *cvl_conv_direct_get_isa (void);
gboolean    cvl_conv_direct_set_isa (const char *name);

/* Virtual coordinates v = o·stride + k·dilation (0 is the first padded
 * pixel) mapped to image coordinates by the border rule (-1: reads 0);
 * n_virtual entries, g_free() them. Shared by the direct, separable and FFT
 * engines. */
int *cvl_conv_border_map (int       n_virtual,
                          int       pad_before,
                          int       n,
                          CvlBorder border);

G_END_DECLS
