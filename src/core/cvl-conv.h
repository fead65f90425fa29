/* SPDX-License-Identifier: GPL-3.0-or-later */
/* 2-D convolution with tf.nn.conv2d's semantics: cross-correlation unless
 * flipped, stride, dilation, SAME/VALID padding with TensorFlow's exact output
 * size and padding split, plus border modes for the SAME padding. */
#pragma once

#include <gio/gio.h>

#include "cvl-image.h"
#include "cvl-kernel.h"

G_BEGIN_DECLS

#define CVL_CONV_MAX_STRIDE   8
#define CVL_CONV_MAX_DILATION 8

typedef enum { CVL_PADDING_SAME, CVL_PADDING_VALID } CvlPadding;

/* What the pixels outside the image read as (SAME padding only). For an
 * image row a b c d: zero → 0 0 | a b c d | 0 0; clamp → a a | a b c d | d d;
 * reflect → c b | a b c d | c b (no edge repeat, TF REFLECT, OpenCV
 * BORDER_REFLECT_101); wrap → c d | a b c d | a b. */
typedef enum
{
  CVL_BORDER_ZERO,
  CVL_BORDER_CLAMP,
  CVL_BORDER_REFLECT,
  CVL_BORDER_WRAP,
} CvlBorder;

typedef enum
{
  CVL_CHANNELS_RGB,   /* each colour channel with the same kernel, alpha kept */
  CVL_CHANNELS_GRAY,  /* luma first, one output channel */
} CvlChannels;

typedef struct
{
  int         stride_h, stride_w;       /* 1..CVL_CONV_MAX_STRIDE */
  int         dilation_h, dilation_w;   /* 1..CVL_CONV_MAX_DILATION */
  CvlPadding  padding;
  CvlBorder   border;
  gboolean    flip;                     /* true convolution: kernel rotated 180° */
  CvlChannels channels;
} CvlConvOptions;

typedef enum
{
  CVL_ENGINE_NAIVE,     /* plain loops, the reference */
  CVL_ENGINE_DIRECT,    /* blocked, vectorisable, threaded over rows */
  CVL_ENGINE_SEPARABLE, /* rank-1 kernels as two 1-D passes (falls back to DIRECT otherwise) */
  CVL_ENGINE_FFT,       /* FFTW3f, tiled overlap-save, cached plans */
  CVL_ENGINE_AUTO,      /* whichever the calibrated cost model expects to be fastest */
} CvlEngine;

#define CVL_N_ENGINES (CVL_ENGINE_AUTO + 1)

/* Names: "naive", "direct", "separable", "fft", "auto" (from_string ignores
 * case); labels, translated: "Naive", "Direct", "Separable", "FFT", "Auto". */
const char *cvl_engine_to_string   (CvlEngine    engine);
gboolean    cvl_engine_from_string (const char  *text,
                                    CvlEngine   *engine);
const char *cvl_engine_label       (CvlEngine    engine);

/* Output geometry of one axis or both, TensorFlow's rules:
 *   k_eff = (k − 1)·dilation + 1
 *   SAME : out = ⌈in / stride⌉, pad_total = max((out − 1)·stride + k_eff − in, 0),
 *          pad_before = ⌊pad_total / 2⌋ (the extra pixel goes after)
 *   VALID: out = ⌊(in − k_eff) / stride⌋ + 1, or 0 when k_eff > in; no padding */
typedef struct
{
  int out_h, out_w;
  int pad_top, pad_bottom, pad_left, pad_right;
  int k_eff_h, k_eff_w;
} CvlConvGeometry;

void     cvl_conv_options_init     (CvlConvOptions        *options); /* TF defaults */
gboolean cvl_conv_options_validate (const CvlConvOptions  *options,
                                    GError               **error);
void     cvl_conv_geometry         (int                    in_h,
                                    int                    in_w,
                                    int                    k_h,
                                    int                    k_w,
                                    const CvlConvOptions  *options,
                                    CvlConvGeometry       *geometry);
/* "226 × 150 = (451 − 3 + 2·1) / 2 + 1"-style read-out of the lecture's
 * formula (W − F + 2P) / S + 1 for width and height; explains an empty output. */
char    *cvl_conv_describe_size    (int                    in_h,
                                    int                    in_w,
                                    int                    k_h,
                                    int                    k_w,
                                    const CvlConvOptions  *options);

/* Index of an input coordinate after the border rule; -1 means "reads as 0"
 * (zero border, or outside the image with VALID which never happens). */
int      cvl_conv_border_index     (int                    i,
                                    int                    n,
                                    CvlBorder              border);

/* Convolve every channel of `in` into `out`, which is (re)sized by
 * cvl_image_ensure() to the geometry's size with in->channels channels. The
 * kernel's divisor and offset are applied. Channel mode is NOT applied here:
 * see cvl_conv_apply(). FALSE with CVL_ERROR_CANCELLED when cancelled, or
 * CVL_ERROR_EMPTY_OUTPUT when the output would have no pixels. */
gboolean cvl_conv2d                (CvlEngine              engine,
                                    const CvlImage        *in,
                                    const CvlKernel       *kernel,
                                    const CvlConvOptions  *options,
                                    CvlImage             **out,
                                    GCancellable          *cancellable,
                                    GError               **error);

/* The whole operation as the app and CLI see it. `in` has 3 channels (RGB) or
 * 4 (RGBA). On success *values holds the unmapped result (1 channel for gray,
 * 3 for RGB) and *alpha the alpha of each output pixel taken at the input
 * pixel under the kernel's centre tap, or NULL for an opaque input. Both are
 * reused through cvl_image_ensure() when non-NULL on entry. */
gboolean cvl_conv_apply            (CvlEngine              engine,
                                    const CvlImage        *in,
                                    const CvlKernel       *kernel,
                                    const CvlConvOptions  *options,
                                    CvlImage             **values,
                                    CvlImage             **alpha,
                                    GCancellable          *cancellable,
                                    GError               **error);

/* The engine that will actually run: AUTO becomes the one the cost model
 * expects to be fastest for this image and kernel; SEPARABLE becomes DIRECT
 * for a kernel that is not rank 1. Others are returned unchanged. Cheap:
 * the UI calls it before every render to show which engine ran. */
CvlEngine cvl_conv_resolve_engine  (CvlEngine              engine,
                                    int                    in_h,
                                    int                    in_w,
                                    int                    channels,
                                    const CvlKernel       *kernel,
                                    const CvlConvOptions  *options);

/* TRUE when the kernel is rank 1 (an outer product of a column and a row,
 * to 1e-6 of its largest weight): box, Gaussian, Sobel. Cheap: O(k²). */
gboolean cvl_conv_kernel_is_separable (const CvlKernel *kernel);

/* Measures this machine for AUTO's cost model (a few seconds on 2 cores, safe on a
 * worker thread), or loads the measurement cached in the user's cache folder
 * (convolve/cost-model.ini) when it is still valid for this machine and build.
 * Until then AUTO uses built-in figures. FALSE only when cancelled. */
gboolean cvl_conv_calibrate        (GCancellable          *cancellable,
                                    GError               **error);
gboolean cvl_conv_is_calibrated    (void);

/* Threads used by the engines (default: number of processors). */
void     cvl_conv_set_threads      (int                    n_threads);
int      cvl_conv_get_threads      (void);

G_END_DECLS
