/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The convnet's building blocks: aligned float buffers, a small seedable
 * PRNG, layers with forward and backward passes (conv via im2col + sgemm, a
 * fused one-channel conv + ReLU + pool, conv by FFT, and a naive reference;
 * max-pool, ReLU, dense, dropout, softmax cross-entropy), initialisers and
 * the Adam and SGD-with-momentum updates.
 *
 * Layout: convolution activations are kept channel-major across the batch,
 * [C,N,H,W], so one product covers the whole batch (Y[Co, N·H·W] = W[Co, K]
 * × col[K, N·H·W]). For C = 1 that is the same memory as NCHW; dense layers
 * take row-major [N, features] with features flattened in NCHW order. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 64-byte aligned floats (huge-page advised from 4 MiB); NULL with an error
 * when n_floats overflows or memory runs out. Free with cvl_nn_free. */
float   *cvl_nn_alloc     (gsize     n_floats,
                           GError  **error);
void     cvl_nn_free      (float    *data);

/* xoshiro256**: four words of state, saved and restored as they are. */
typedef struct
{
  guint64 s[4];
} CvlRng;

void     cvl_rng_init     (CvlRng   *rng,
                           guint64   seed);
/* A stream of its own for (seed, stream): used per epoch and per step so a
 * resumed run draws exactly what an uninterrupted one would. */
void     cvl_rng_init_stream (CvlRng *rng,
                              guint64 seed,
                              guint64 stream);
guint64  cvl_rng_next     (CvlRng   *rng);
double   cvl_rng_uniform  (CvlRng   *rng);          /* [0, 1) */
double   cvl_rng_normal   (CvlRng   *rng);          /* N(0, 1) */
guint32  cvl_rng_below    (CvlRng   *rng,
                           guint32   bound);        /* [0, bound), unbiased */
void     cvl_rng_shuffle  (CvlRng   *rng,
                           guint32  *items,
                           guint32   n);

/* Initialisers: He normal (std √(2/fan_in)) and Glorot uniform. */
void     cvl_nn_init_he      (float *w, gsize n, int fan_in, CvlRng *rng);
void     cvl_nn_init_glorot  (float *w, gsize n, int fan_in, int fan_out, CvlRng *rng);

/* Threads for the layers (≥ 1). The products run as column blocks of C on
 * the core's parallel-for, each a single-threaded OpenBLAS call, so results
 * depend on nothing but the inputs and the thread count; with the
 * environment variable CVL_GEMM=openblas, OpenBLAS's own threads run them
 * instead (openblas_set_num_threads). */
void     cvl_nn_set_threads  (int n_threads);
int      cvl_nn_get_threads  (void);

/* A SAME, stride-1 convolution (cross-correlation, as TensorFlow and
 * PyTorch) with an odd square kernel. */
typedef struct
{
  int n;        /* batch */
  int c_in;
  int c_out;
  int h, w;     /* input = output size */
  int k;        /* kernel side, odd */
} CvlConvShape;

/* Floats of the im2col buffer: c_in·k·k × n·h·w. */
gsize    cvl_nn_conv_col_size (const CvlConvShape *s);

/* in [Ci,N,H,W], weight [Co,Ci,k,k], bias [Co] → out [Co,N,H,W]; `col` is
 * scratch of cvl_nn_conv_col_size floats, left holding im2col(in) for the
 * backward pass. With `relu`, out = max(0, conv). */
void     cvl_nn_conv_forward  (const CvlConvShape *s,
                               const float *in,
                               const float *weight,
                               const float *bias,
                               float       *out,
                               float       *col,
                               gboolean     relu);
/* dout [Co,N,H,W] (already through ReLU's mask) → dweight [Co,Ci,k,k] and
 * dbias [Co] (overwritten), din [Ci,N,H,W] if not NULL. `col` must hold
 * im2col(in) from the forward pass; it is clobbered. */
void     cvl_nn_conv_backward (const CvlConvShape *s,
                               const float *dout,
                               const float *weight,
                               float       *dweight,
                               float       *dbias,
                               float       *din,
                               float       *col);
/* The reference: plain loops, same layouts and semantics, no ReLU. */
void     cvl_nn_conv_forward_naive  (const CvlConvShape *s,
                                     const float *in,
                                     const float *weight,
                                     const float *bias,
                                     float       *out);
void     cvl_nn_conv_backward_naive (const CvlConvShape *s,
                                     const float *in,
                                     const float *dout,
                                     const float *weight,
                                     float       *dweight,
                                     float       *dbias,
                                     float       *din);

/* A one-channel input layer (c_in = 1, k ≤ 7, c_out ≤ 64, h and w even)
 * with ReLU and a 2×2 max-pool in one pass, for the lecture's conv1: in
 * [N,H,W] → pooled [Co,N,H/2,W/2] and arg as cvl_nn_maxpool_forward's. */
void     cvl_nn_conv1_pool_forward  (const CvlConvShape *s,
                                     const float        *in,
                                     const float        *weight,
                                     const float        *bias,
                                     float              *pooled,
                                     guint8             *arg);
/* Its weight and bias gradients from dpooled [Co,N,H/2,W/2] (no input
 * gradient: it is the first layer). */
void     cvl_nn_conv1_pool_backward (const CvlConvShape *s,
                                     const float        *in,
                                     const float        *pooled,
                                     const guint8       *arg,
                                     const float        *dpooled,
                                     float              *dweight,
                                     float              *dbias);

/* The same convolution by FFT, for small maps and many channels (the
 * lecture's conv2: 14×14, 5×5, 32 → 64 channels, ~8× fewer multiplications
 * than im2col): planes padded to (h + k/2) × (w + k/2), whose cyclic
 * convolution is the SAME one, then one complex product per frequency
 * across the channels. Plans and spectra for batches up to s->n. */
typedef struct _CvlFftConv CvlFftConv;

CvlFftConv *cvl_nn_fft_conv_new      (const CvlConvShape *s,
                                      GError            **error);
void        cvl_nn_fft_conv_free     (CvlFftConv        *fc);
/* Layouts as cvl_nn_conv_forward, for a batch of n ≤ s->n. Keeps the
 * spectra of `in` and `weight` for the backward pass. */
void        cvl_nn_fft_conv_forward  (CvlFftConv  *fc,
                                      int          n,
                                      const float *in,
                                      const float *weight,
                                      const float *bias,
                                      float       *out,
                                      gboolean     relu);
/* The gradients for the last forward's batch and weights, as
 * cvl_nn_conv_backward: dweight, dbias overwritten, din if not NULL. */
void        cvl_nn_fft_conv_backward (CvlFftConv  *fc,
                                      const float *dout,
                                      float       *dweight,
                                      float       *dbias,
                                      float       *din);

/* Forward with ReLU and a 2×2 max-pool after it (h, w even): pooled is
 * [Co,N,h/2,w/2], or with `flat` [N, Co·(h/2)·(w/2)] (a dense layer's
 * input); arg [Co,N,h/2,w/2] as cvl_nn_maxpool_forward's. The full-size
 * output is never stored. */
void        cvl_nn_fft_conv_forward_pool  (CvlFftConv  *fc,
                                           int          n,
                                           const float *in,
                                           const float *weight,
                                           const float *bias,
                                           float       *pooled,
                                           guint8      *arg,
                                           gboolean     flat);
/* Its backward from dpooled (same layout as pooled): the pool's and ReLU's
 * backward (a window's winner gets the gradient where its pooled value is
 * > 0) folded into the transforms. */
void        cvl_nn_fft_conv_backward_pool (CvlFftConv   *fc,
                                           const float  *dpooled,
                                           const float  *pooled,
                                           const guint8 *arg,
                                           gboolean      flat,
                                           float        *dweight,
                                           float        *dbias,
                                           float        *din);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlFftConv, cvl_nn_fft_conv_free)

/* Max-pool 2×2, stride 2, over `planes` planes of [H,W] (H, W even) →
 * [planes, H/2, W/2]; `arg` keeps which of the four won (0…3). */
void     cvl_nn_maxpool_forward  (const float *in, int planes, int h, int w,
                                  float *out, guint8 *arg);
/* din [planes,H,W] (overwritten) from dout [planes,H/2,W/2]. */
void     cvl_nn_maxpool_backward (const float *dout, const guint8 *arg,
                                  int planes, int h, int w, float *din);

/* Both backward passes of max(0, ·) then max-pool in one: din is the
 * max-pool gradient where y (the ReLU's output, [planes,H,W]) is > 0. */
void     cvl_nn_maxpool_relu_backward (const float *dout, const guint8 *arg,
                                       const float *y, int planes, int h, int w,
                                       float *din);

/* y = max(0, x) (in place allowed); dx = dy where y > 0 (in place allowed). */
void     cvl_nn_relu_forward  (const float *x, float *y, gsize n);
void     cvl_nn_relu_backward (const float *y, const float *dy, float *dx, gsize n);

/* x [N,In], weight [Out,In] (PyTorch's layout), bias [Out] → y [N,Out]. */
void     cvl_nn_dense_forward  (int n, int in, int out,
                                const float *x, const float *weight,
                                const float *bias, float *y);
/* The same from the transposed weights [In,Out], skipping the zeros of x:
 * after ReLU and max-pool most of the lecture's fc input is 0, and at batch
 * 1 reading the 12.8 MB of weights is the cost. Sums in a fixed order. */
void     cvl_nn_dense_forward_sparse (int n, int in, int out,
                                      const float *x, const float *weight_t,
                                      const float *bias, float *y);
/* dweight [Out,In], dbias [Out] overwritten; dx [N,In] if not NULL. */
void     cvl_nn_dense_backward (int n, int in, int out,
                                const float *x, const float *weight,
                                const float *dy, float *dweight,
                                float *dbias, float *dx);

/* Inverted dropout: y = x·mask with mask 1/keep or 0; keep = 1 copies. */
void     cvl_nn_dropout_forward  (const float *x, float *y, float *mask,
                                  gsize n, float keep, CvlRng *rng);
void     cvl_nn_dropout_backward (const float *dy, const float *mask,
                                  float *dx, gsize n);

/* logits [N,K], labels [N] → mean cross-entropy of softmax; probs [N,K] if
 * not NULL, dlogits [N,K] (gradient of the mean) if not NULL, and the number
 * of rows whose arg-max is the label in *correct if not NULL. */
double   cvl_nn_softmax_xent (int n, int k,
                              const float  *logits,
                              const guint8 *labels,
                              float        *probs,
                              float        *dlogits,
                              int          *correct);
/* Row-wise softmax in place. */
void     cvl_nn_softmax      (int n, int k, float *x);

/* Adam as PyTorch computes it; `t` is the step number from 1. */
void     cvl_nn_adam_step (float       *param,
                           const float *grad,
                           float       *m,
                           float       *v,
                           gsize        n,
                           double       lr,
                           double       beta1,
                           double       beta2,
                           double       eps,
                           gint64       t);
/* avg = decay·avg + (1 − decay)·w: one step of the weights' moving average. */
void     cvl_nn_average_step (float       *avg,
                              const float *w,
                              gsize        n,
                              float        decay);
/* v = momentum·v + g; p -= lr·v (PyTorch's SGD with momentum). */
void     cvl_nn_sgd_step  (float       *param,
                           const float *grad,
                           float       *velocity,
                           gsize        n,
                           double       lr,
                           double       momentum);

G_END_DECLS
