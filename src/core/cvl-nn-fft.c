/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SAME convolution by FFT for the convnet's second layer (14×14 maps, 5×5
 * kernels, 32 → 64 channels), where im2col + sgemm spent 70% of an epoch:
 * per frequency one small complex product across channels replaces 25 taps. */
#include "config.h"

#include <string.h>

#include <cblas.h>
#include <fftw3.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "cvl-error.h"
#include "cvl-fftw.h"
#include "cvl-nn.h"
#include "cvl-parallel.h"

/* Planes per block: one per lane of an AVX vector in the 16×16 transforms,
 * and per FFTW call in the others. */
#define BLOCK     8
/* Blocks transformed before their spectra are written out together: runs of
 * 32 floats (two cache lines) per frequency instead of 8. */
#define GROUP     4
/* Below this batch the forward products skip sgemm (see product_few). */
#define FEW_IMAGES 8
#define MAX_TASKS 16

#if defined(__x86_64__)
#define SIMD_ATTRIBUTES __attribute__ ((target ("avx2,fma")))
#else
#define SIMD_ATTRIBUTES
#endif
#define SIMD_INLINE SIMD_ATTRIBUTES static inline __attribute__ ((always_inline))

/* A plane of h×w sits at the top left of an fh×fw grid, fh = h + k/2, zero
 * elsewhere. The cyclic convolution on that grid equals the SAME one on the
 * h×w outputs: the taps that fall off one edge wrap onto the k/2 zero rows
 * and columns, which serve as padding for both edges.
 *
 * Spectra are stored frequency-major with real and imaginary parts apart,
 * [F][2][planes] with F = fh × (fw/2 + 1), so that each frequency's complex
 * product is one real sgemm with the kernels as a block matrix:
 *   X  [F][2][Ci][N]   the input's (kept from forward for the weight gradient)
 *   Y  [F][2][Co][N]   the output's, then dout's
 *   Wc [F][2][Co][Ci]  the kernels', embedded flipped, scaled by 1/(fh·fw)
 *   W  [F][2Co][2Ci]   [[Re, −Im], [Im, Re]] of Wc
 *   G  [F][2Co][2Ci]   dY·Xᵀ in the same blocks, for the weight gradient
 *   dWc [F][2][Co][Ci] (G₁₁ + G₂₂) + i(G₂₁ − G₁₂) = Σ_n dY·conj(X)
 * Y = W·X; dX = Wᵀ·dY.
 *
 * 16×16 grids (14×14 maps, k ≤ 5) take hand-written transforms over eight
 * planes at once, a plane per AVX lane; other sizes go through FFTW. */
struct _CvlFftConv
{
  CvlConvShape  s;        /* s.n: capacity */
  int           fh, fw, fwc, freqs, grid, half;   /* grid = fh·fw, half = fh·fwc */
  fftwf_plan    r2c, c2r;                        /* BLOCK planes at a time */
  float        *x, *y, *wc, *wf, *g, *dwc;       /* see above */
  float        *w_seen;                          /* the kernels behind wf */
  gboolean      wf_valid;
  gboolean      block_valid;                     /* W matches Wc */
  float        *real[MAX_TASKS];                 /* [BLOCK][grid] or [grid][BLOCK] */
  float        *spec[MAX_TASKS];                 /* [BLOCK][F][2], FFTW's */
  float        *lanes[MAX_TASKS];                /* [GROUP][F][2][BLOCK] */
  gboolean      simd16;
  int           n;                               /* batch of the last forward */
};

void
cvl_nn_fft_conv_free (CvlFftConv *fc)
{
  if (fc == NULL)
    return;
  cvl_fftw_lock ();
  g_clear_pointer (&fc->r2c, fftwf_destroy_plan);
  g_clear_pointer (&fc->c2r, fftwf_destroy_plan);
  cvl_fftw_unlock ();
  cvl_nn_free (fc->x);
  cvl_nn_free (fc->y);
  cvl_nn_free (fc->wc);
  cvl_nn_free (fc->wf);
  cvl_nn_free (fc->g);
  cvl_nn_free (fc->dwc);
  cvl_nn_free (fc->w_seen);
  for (int t = 0; t < MAX_TASKS; t++)
    {
      cvl_nn_free (fc->real[t]);
      cvl_nn_free (fc->spec[t]);
      cvl_nn_free (fc->lanes[t]);
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
  ALLOC (wf, 4 * (gsize) fc->freqs * planes_w);
  ALLOC (g, 4 * (gsize) fc->freqs * planes_w);
  ALLOC (wc, 2 * (gsize) fc->freqs * planes_w);
  ALLOC (dwc, 2 * (gsize) fc->freqs * planes_w);
  ALLOC (w_seen, planes_w * s->k * s->k);
  for (int t = 0; t < MAX_TASKS; t++)
    {
      ALLOC (real[t], (gsize) BLOCK * fc->grid);
      ALLOC (spec[t], 2 * (gsize) BLOCK * fc->half);
      ALLOC (lanes[t], 2 * (gsize) GROUP * BLOCK * fc->half);
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
    fc->c2r = fftwf_plan_many_dft_c2r (2, dims, BLOCK, c, NULL, 1, fc->half,
                                       r, NULL, 1, fc->grid, FFTW_ESTIMATE);
    cvl_fftw_unlock ();
  }
  if (fc->r2c == NULL || fc->c2r == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "FFTW could not plan a %d×%d transform", fc->fh, fc->fw);
      return NULL;
    }
#if defined(__x86_64__)
  __builtin_cpu_init ();
  fc->simd16 = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#else
  fc->simd16 = FALSE;
#endif
  fc->simd16 = fc->simd16 && fc->fh == 16 && fc->fw == 16 &&
               g_strcmp0 (g_getenv ("CVL_NN_FFT"), "fftw") != 0;
  return g_steal_pointer (&fc);
}

/* -- Jobs ------------------------------------------------------------------ */

typedef enum
{
  LOAD_INPUT,     /* h×w planes → spectra */
  LOAD_WEIGHT,    /* k×k kernels, flipped and wrapped → spectra */
  STORE_OUTPUT,   /* spectra → h×w planes, + bias, ReLU */
  STORE_WEIGHT,   /* spectra → k×k kernel gradients */
  STORE_POOL,     /* spectra → h×w planes, + bias, ReLU, 2×2 max-pool */
  LOAD_UNPOOL,    /* the max-pool's and ReLU's backward → spectra */
} Transform;

typedef struct
{
  CvlFftConv  *fc;
  Transform    kind;
  gsize        planes;
  int          tasks;
  const float *src;       /* LOAD_*: planes */
  float       *dst;       /* STORE_*: planes */
  float       *spectra;   /* see the layouts above */
  const float *bias;      /* STORE_OUTPUT: per plane / per_bias, or NULL */
  int          per_bias;  /* planes per bias value (the batch) */
  gboolean     relu;
  /* STORE_POOL and LOAD_UNPOOL: plane c·n + i pooled to (h/2)·(w/2) values
   * at pooled_at (); `arg` [planes][h/2·w/2] says which of the 2×2 won. */
  int          n;
  gboolean     flat;      /* pooled [N][C·P] instead of [C][N][P] */
  float       *pooled;    /* STORE_POOL */
  const float *pooled_in; /* LOAD_UNPOOL: the forward's, the ReLU's mask */
  const float *dpooled;   /* LOAD_UNPOOL */
  guint8      *arg;
} TransformJob;

static gsize
pooled_at (const TransformJob *job,
           gsize               plane)
{
  gsize pooled = (gsize) (job->fc->s.h / 2) * (job->fc->s.w / 2);
  gsize c = plane / job->n, i = plane % job->n, channels = job->planes / job->n;

  return (job->flat ? i * channels + c : plane) * pooled;
}

/* -- 16×16 transforms, eight planes at once --------------------------------- */

typedef float V8 __attribute__ ((vector_size (32)));
typedef struct
{
  V8 re, im;
} C8;

/* cos and sin of 2π·m/16 for m = n2·k1, n2, k1 < 4 */
static const float tw_cos[10] = { 1.f, 0.92387953f, 0.70710678f, 0.38268343f, 0.f,
                                  -0.38268343f, -0.70710678f, -0.92387953f, -1.f,
                                  -0.92387953f };
static const float tw_sin[10] = { 0.f, 0.38268343f, 0.70710678f, 0.92387953f, 1.f,
                                  0.92387953f, 0.70710678f, 0.38268343f, 0.f,
                                  -0.38268343f };

/* 4-point DFT of x[0], x[s], x[2s], x[3s] into y[0], y[t], y[2t], y[3t];
 * the sign of the exponent is − (forward) or + (inverse). */
SIMD_INLINE void
dft4 (const C8 *x,
      int       s,
      C8       *y,
      int       t,
      gboolean  inverse)
{
  V8 ar = x[0].re + x[2 * s].re, ai = x[0].im + x[2 * s].im;
  V8 br = x[0].re - x[2 * s].re, bi = x[0].im - x[2 * s].im;
  V8 cr = x[s].re + x[3 * s].re, ci = x[s].im + x[3 * s].im;
  V8 dr = x[s].re - x[3 * s].re, di = x[s].im - x[3 * s].im;

  y[0] = (C8) { ar + cr, ai + ci };
  y[2 * t] = (C8) { ar - cr, ai - ci };
  if (!inverse)
    {
      y[t] = (C8) { br + di, bi - dr };       /* b − i·d */
      y[3 * t] = (C8) { br - di, bi + dr };   /* b + i·d */
    }
  else
    {
      y[t] = (C8) { br - di, bi + dr };
      y[3 * t] = (C8) { br + di, bi - dr };
    }
}

/* 16-point DFT, 4 × 4: n = 4·n1 + n2, k = k1 + 4·k2. */
SIMD_INLINE void
dft16 (const C8 *x,
       C8       *y,
       gboolean  inverse)
{
  C8 a[16];   /* [n2][k1] */

  for (int n2 = 0; n2 < 4; n2++)
    dft4 (x + n2, 4, a + 4 * n2, 1, inverse);
  for (int n2 = 1; n2 < 4; n2++)
    for (int k1 = 1; k1 < 4; k1++)
      {
        float c = tw_cos[n2 * k1], sn = inverse ? tw_sin[n2 * k1] : -tw_sin[n2 * k1];
        C8 v = a[4 * n2 + k1];

        a[4 * n2 + k1] = (C8) { v.re * c - v.im * sn, v.re * sn + v.im * c };
      }
  for (int k1 = 0; k1 < 4; k1++)
    dft4 (a + k1, 4, y + k1, 4, inverse);
}

/* grid [16][16] lanes → half spectrum [16][9] as lanes [f][2][8], as FFTW's
 * r2c. Rows two at a time as one complex signal, then the columns. */
SIMD_ATTRIBUTES static void
r2c16 (const float *grid,
       int          rows,
       float       *out)
{
  const V8 *g = (const V8 *) grid;
  V8 *o = (V8 *) out;
  C8 t[16][9], z[16], zz[16];
  const V8 half = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };

  /* Rows from `rows` (even) on are zero. */
  for (int y = rows; y < 16; y++)
    for (int k = 0; k <= 8; k++)
      t[y][k] = (C8) { { 0 }, { 0 } };
  for (int y = 0; y < rows; y += 2)
    {
      for (int x = 0; x < 16; x++)
        z[x] = (C8) { g[y * 16 + x], g[(y + 1) * 16 + x] };
      dft16 (z, zz, FALSE);
      for (int k = 0; k <= 8; k++)
        {
          C8 p = zz[k], m = zz[(16 - k) & 15];

          t[y][k] = (C8) { half * (p.re + m.re), half * (p.im - m.im) };
          t[y + 1][k] = (C8) { half * (p.im + m.im), half * (m.re - p.re) };
        }
    }
  for (int k = 0; k <= 8; k++)
    {
      for (int y = 0; y < 16; y++)
        z[y] = t[y][k];
      dft16 (z, zz, FALSE);
      for (int ky = 0; ky < 16; ky++)
        {
          o[2 * (ky * 9 + k)] = zz[ky].re;
          o[2 * (ky * 9 + k) + 1] = zz[ky].im;
        }
    }
}

/* The inverse, unnormalised, as FFTW's c2r: the imaginary parts of each
 * row's bins 0 and 8 are ignored. */
SIMD_ATTRIBUTES static void
c2r16 (const float *in,
       int          rows,
       float       *grid)
{
  const V8 *s = (const V8 *) in;
  V8 *g = (V8 *) grid;
  C8 t[16][9], z[16], zz[16];

  for (int k = 0; k <= 8; k++)
    {
      for (int ky = 0; ky < 16; ky++)
        z[ky] = (C8) { s[2 * (ky * 9 + k)], s[2 * (ky * 9 + k) + 1] };
      dft16 (z, zz, TRUE);
      for (int y = 0; y < 16; y++)
        t[y][k] = zz[y];
    }
  /* Only the first `rows` (even) rows of the grid are computed. */
  for (int y = 0; y < rows; y += 2)
    {
      t[y][0].im = t[y][8].im = t[y + 1][0].im = t[y + 1][8].im = (V8) { 0 };
      /* Z = A + i·B over the full row, A and B Hermitian. */
      for (int k = 0; k < 16; k++)
        {
          C8 a = k <= 8 ? t[y][k] : (C8) { t[y][16 - k].re, -t[y][16 - k].im };
          C8 b = k <= 8 ? t[y + 1][k] : (C8) { t[y + 1][16 - k].re, -t[y + 1][16 - k].im };

          z[k] = (C8) { a.re - b.im, a.im + b.re };
        }
      dft16 (z, zz, TRUE);
      for (int x = 0; x < 16; x++)
        {
          g[y * 16 + x] = zz[x].re;
          g[(y + 1) * 16 + x] = zz[x].im;
        }
    }
}

#if defined(__x86_64__)
/* r[0..7] rows of 8 → columns, in place. */
SIMD_INLINE void
transpose8 (__m256 *r)
{
  __m256 t0 = _mm256_unpacklo_ps (r[0], r[1]), t1 = _mm256_unpackhi_ps (r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps (r[2], r[3]), t3 = _mm256_unpackhi_ps (r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps (r[4], r[5]), t5 = _mm256_unpackhi_ps (r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps (r[6], r[7]), t7 = _mm256_unpackhi_ps (r[6], r[7]);
  __m256 u0 = _mm256_shuffle_ps (t0, t2, 0x44), u1 = _mm256_shuffle_ps (t0, t2, 0xee);
  __m256 u2 = _mm256_shuffle_ps (t1, t3, 0x44), u3 = _mm256_shuffle_ps (t1, t3, 0xee);
  __m256 u4 = _mm256_shuffle_ps (t4, t6, 0x44), u5 = _mm256_shuffle_ps (t4, t6, 0xee);
  __m256 u6 = _mm256_shuffle_ps (t5, t7, 0x44), u7 = _mm256_shuffle_ps (t5, t7, 0xee);

  r[0] = _mm256_permute2f128_ps (u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps (u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps (u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps (u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps (u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps (u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps (u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps (u3, u7, 0x31);
}

/* Eight h×w planes (h, w ≤ 16) → lanes of a 16×16 grid, zero outside:
 * 8×8 transposes, the last h·w mod 8 floats one at a time. */
SIMD_ATTRIBUTES static void
load_planes16 (const float *src,
               int          h,
               int          w,
               float       *grid)
{
  V8 *g = (V8 *) grid;
  int n = h * w, i = 0;

  for (int y = 0; y < 16; y++)
    for (int x = y < h ? w : 0; x < 16; x++)
      g[y * 16 + x] = (V8) { 0 };
  for (; i + 8 <= n; i += 8)
    {
      __m256 r[8];

      for (int b = 0; b < 8; b++)
        r[b] = _mm256_loadu_ps (src + (gsize) b * n + i);
      transpose8 (r);
      for (int j = 0; j < 8; j++)
        g[((i + j) / w) * 16 + (i + j) % w] = (V8) r[j];
    }
  for (; i < n; i++)
    for (int b = 0; b < 8; b++)
      grid[(((i / w) * 16 + i % w)) * 8 + b] = src[(gsize) b * n + i];
}

/* Lanes of a 16×16 grid → eight h×w planes, + bias per lane, ReLU. */
SIMD_ATTRIBUTES static void
store_planes16 (const float *grid,
                int          h,
                int          w,
                const float *bias,
                gboolean     relu,
                float       *dst)
{
  const V8 *g = (const V8 *) grid;
  V8 b8, zero = { 0 };
  int n = h * w, i = 0;

  memcpy (&b8, bias, sizeof b8);
  for (; i + 8 <= n; i += 8)
    {
      __m256 r[8];

      for (int j = 0; j < 8; j++)
        {
          V8 v = g[((i + j) / w) * 16 + (i + j) % w] + b8;

          r[j] = (__m256) (relu ? (V8) _mm256_max_ps ((__m256) v, (__m256) zero) : v);
        }
      transpose8 (r);
      for (int b = 0; b < 8; b++)
        _mm256_storeu_ps (dst + (gsize) b * n + i, r[b]);
    }
  for (; i < n; i++)
    for (int b = 0; b < 8; b++)
      {
        float v = grid[(((i / w) * 16 + i % w)) * 8 + b] + bias[b];

        dst[(gsize) b * n + i] = relu ? MAX (v, 0.f) : v;
      }
}

/* Lanes of a 16×16 grid → bias, ReLU and 2×2 max-pool of eight planes,
 * as pool_grid. */
SIMD_ATTRIBUTES static void
store_pool16 (const TransformJob *job,
              gsize               p0,
              const float        *grid,
              const float        *bias)
{
  const __m256 *g = (const __m256 *) grid;
  int oh = job->fc->s.h / 2, ow = job->fc->s.w / 2;
  __m256 b8 = _mm256_loadu_ps (bias), zero = _mm256_setzero_ps ();
  __m256 one = _mm256_set1_ps (1.f), two = _mm256_set1_ps (2.f), three = _mm256_set1_ps (3.f);
  float *out[BLOCK];
  guint8 *arg = job->arg + p0 * oh * ow;

  for (int b = 0; b < BLOCK; b++)
    out[b] = job->pooled + pooled_at (job, p0 + b);
  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++)
      {
        const __m256 *r0 = g + (2 * oy) * 16 + 2 * ox, *r1 = r0 + 16;
        __m256 best = _mm256_max_ps (_mm256_add_ps (r0[0], b8), zero);
        __m256 which = zero, v, gt;
        float bv[BLOCK], wv[BLOCK];

        v = _mm256_max_ps (_mm256_add_ps (r0[1], b8), zero);
        gt = _mm256_cmp_ps (v, best, _CMP_GT_OQ);
        best = _mm256_blendv_ps (best, v, gt);
        which = _mm256_blendv_ps (which, one, gt);
        v = _mm256_max_ps (_mm256_add_ps (r1[0], b8), zero);
        gt = _mm256_cmp_ps (v, best, _CMP_GT_OQ);
        best = _mm256_blendv_ps (best, v, gt);
        which = _mm256_blendv_ps (which, two, gt);
        v = _mm256_max_ps (_mm256_add_ps (r1[1], b8), zero);
        gt = _mm256_cmp_ps (v, best, _CMP_GT_OQ);
        best = _mm256_blendv_ps (best, v, gt);
        which = _mm256_blendv_ps (which, three, gt);
        _mm256_storeu_ps (bv, best);
        _mm256_storeu_ps (wv, which);
        for (int b = 0; b < BLOCK; b++)
          {
            out[b][oy * ow + ox] = bv[b];
            arg[(gsize) b * oh * ow + oy * ow + ox] = (guint8) wv[b];
          }
      }
}
#endif

/* -- Plane transforms ------------------------------------------------------- */

/* Bias, ReLU and 2×2 max-pool of one plane's grid (stride as load_grid);
 * ties go to the first of the four, as cvl_nn_maxpool_forward. */
static void
pool_grid (const TransformJob *job,
           gsize               plane,
           const float        *grid,
           int                 stride)
{
  const CvlFftConv *fc = job->fc;
  int oh = fc->s.h / 2, ow = fc->s.w / 2, fw = fc->fw;
  float b = job->bias != NULL ? job->bias[plane / job->per_bias] : 0.f;
  float *out = job->pooled + pooled_at (job, plane);
  guint8 *arg = job->arg + plane * oh * ow;

  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++)
      {
        float best = 0.f;
        int which = 0;

        for (int a = 0; a < 4; a++)
          {
            float v = MAX (grid[((gsize) (2 * oy + (a >> 1)) * fw + 2 * ox + (a & 1)) * stride]
                           + b, 0.f);

            if (a == 0 || v > best)
              best = v, which = a;
          }
        out[oy * ow + ox] = best;
        arg[oy * ow + ox] = (guint8) which;
      }
}

/* The pool's and ReLU's backward into a zeroed grid: each window's winner
 * gets the pooled gradient where the pooled value was > 0. */
static void
unpool_grid (const TransformJob *job,
             gsize               plane,
             float              *grid,
             int                 stride)
{
  const CvlFftConv *fc = job->fc;
  int oh = fc->s.h / 2, ow = fc->s.w / 2, fw = fc->fw;
  gsize at = pooled_at (job, plane);
  const float *y = job->pooled_in + at, *dy = job->dpooled + at;
  const guint8 *arg = job->arg + plane * oh * ow;

  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++)
      if (y[oy * ow + ox] > 0.f)
        {
          int a = arg[oy * ow + ox];

          grid[((gsize) (2 * oy + (a >> 1)) * fw + 2 * ox + (a & 1)) * stride] =
            dy[oy * ow + ox];
        }
}

/* Grid element (y, x) of a plane is at grid[(y·fw + x)·stride]. */
static void
load_grid (const TransformJob *job,
           gsize               plane,
           float              *grid,
           int                 stride)
{
  const CvlFftConv *fc = job->fc;
  int k = fc->s.k, p = k / 2, h = fc->s.h, w = fc->s.w, fw = fc->fw;

  if (job->kind == LOAD_INPUT)
    {
      const float *src = job->src + plane * h * w;

      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          grid[((gsize) y * fw + x) * stride] = src[y * w + x];
    }
  else
    {
      const float *src = job->src + plane * k * k;
      float scale = 1.f / fc->grid;

      /* h[(p − ky) mod fh, (p − kx) mod fw] = w[ky, kx]: then y = h ⊛ x. */
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
          grid[((gsize) ((p - ky + fc->fh) % fc->fh) * fw + (p - kx + fw) % fw) * stride] =
            src[ky * k + kx] * scale;
    }
}

static void
store_grid (const TransformJob *job,
            gsize               plane,
            const float        *grid,
            int                 stride)
{
  const CvlFftConv *fc = job->fc;
  int k = fc->s.k, p = k / 2, h = fc->s.h, w = fc->s.w, fw = fc->fw;

  if (job->kind == STORE_OUTPUT)
    {
      float *dst = job->dst + plane * h * w;
      float b = job->bias != NULL ? job->bias[plane / job->per_bias] : 0.f;

      for (int y = 0; y < h; y++)
        {
          const float *row = grid + (gsize) y * fw * stride;
          float *out = dst + (gsize) y * w;

          if (job->relu)
            for (int x = 0; x < w; x++)
              out[x] = MAX (row[x * stride] + b, 0.f);
          else
            for (int x = 0; x < w; x++)
              out[x] = row[x * stride] + b;
        }
    }
  else
    {
      float *dst = job->dst + plane * k * k;
      float scale = 1.f / fc->grid;

      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
          dst[ky * k + kx] =
            grid[((gsize) ((p - ky + fc->fh) % fc->fh) * fw + (p - kx + fw) % fw) * stride] *
            scale;
    }
}

/* lanes [GROUP][F][2][BLOCK] ↔ the job's spectra [F][2][planes], for
 * planes p0 … p0 + count. */
static void
scatter (const TransformJob *job,
         const float        *lanes,
         gsize               p0,
         int                 count)
{
  const CvlFftConv *fc = job->fc;
  gsize planes = job->planes, stride = (gsize) fc->freqs * 2 * BLOCK;

  for (int f = 0; f < fc->freqs; f++)
    for (int part = 0; part < 2; part++)
      {
        float *to = job->spectra + ((gsize) f * 2 + part) * planes + p0;
        const float *from = lanes + ((gsize) f * 2 + part) * BLOCK;

        if (p0 + 2 * GROUP * BLOCK <= planes)
          {
            __builtin_prefetch (to + GROUP * BLOCK, 1, 2);
            __builtin_prefetch (to + GROUP * BLOCK + 16, 1, 2);
          }
        if (count == GROUP * BLOCK)
          for (int g = 0; g < GROUP; g++)
            memcpy (to + g * BLOCK, from + g * stride, BLOCK * sizeof (float));
        else
          for (int b = 0; b < count; b++)
            to[b] = from[(b / BLOCK) * stride + b % BLOCK];
      }
}

static void
gather (const TransformJob *job,
        float              *lanes,
        gsize               p0,
        int                 count)
{
  const CvlFftConv *fc = job->fc;
  gsize planes = job->planes, stride = (gsize) fc->freqs * 2 * BLOCK;

  for (int f = 0; f < fc->freqs; f++)
    for (int part = 0; part < 2; part++)
      {
        const float *from = job->spectra + ((gsize) f * 2 + part) * planes + p0;
        float *to = lanes + ((gsize) f * 2 + part) * BLOCK;

        /* 2·F lines far apart: the hardware prefetchers do not follow them. */
        if (p0 + 2 * GROUP * BLOCK <= planes)
          {
            __builtin_prefetch (from + GROUP * BLOCK, 0, 2);
            __builtin_prefetch (from + GROUP * BLOCK + 16, 0, 2);
          }
        if (count == GROUP * BLOCK)
          for (int g = 0; g < GROUP; g++)
            memcpy (to + g * stride, from + g * BLOCK, BLOCK * sizeof (float));
        else
          for (int b = 0; b < GROUP * BLOCK; b++)
            to[(b / BLOCK) * stride + b % BLOCK] = b < count ? from[b] : 0.f;
      }
}

/* One block of `count` ≤ BLOCK planes from p0: grids → lanes [F][2][BLOCK]. */
static void
forward_block (const TransformJob *job,
               gsize               p0,
               int                 count,
               float              *real,
               float              *spec,
               float              *lanes)
{
  const CvlFftConv *fc = job->fc;
  int h = fc->s.h, w = fc->s.w;

  if (fc->simd16 && job->kind == LOAD_INPUT && count == BLOCK)
    {
#if defined(__x86_64__)
      load_planes16 (job->src + p0 * h * w, h, w, real);
#endif
      r2c16 (real, (h + 1) & ~1, lanes);
      return;
    }
  memset (real, 0, (gsize) BLOCK * fc->grid * sizeof (float));
  if (fc->simd16)
    {
      for (int b = 0; b < count; b++)
        if (job->kind == LOAD_UNPOOL)
          unpool_grid (job, p0 + b, real + b, BLOCK);
        else
          load_grid (job, p0 + b, real + b, BLOCK);
      r2c16 (real, job->kind == LOAD_WEIGHT ? 16 : (h + 1) & ~1, lanes);
      return;
    }
  for (int b = 0; b < count; b++)
    if (job->kind == LOAD_UNPOOL)
      unpool_grid (job, p0 + b, real + (gsize) b * fc->grid, 1);
    else
      load_grid (job, p0 + b, real + (gsize) b * fc->grid, 1);
  fftwf_execute_dft_r2c (fc->r2c, real, (fftwf_complex *) spec);
  for (int f = 0; f < fc->freqs; f++)
    for (int b = 0; b < BLOCK; b++)
      {
        lanes[(gsize) f * 2 * BLOCK + b] = spec[2 * ((gsize) b * fc->half + f)];
        lanes[(gsize) f * 2 * BLOCK + BLOCK + b] = spec[2 * ((gsize) b * fc->half + f) + 1];
      }
}

/* The inverse: lanes [F][2][BLOCK] → `count` planes from p0. */
static void
inverse_block (const TransformJob *job,
               gsize               p0,
               int                 count,
               float              *real,
               float              *spec,
               const float        *lanes)
{
  const CvlFftConv *fc = job->fc;
  int h = fc->s.h, w = fc->s.w;

  if (fc->simd16 && job->kind != STORE_WEIGHT && count == BLOCK)
    {
      float bias[BLOCK] = { 0 };

      if (job->bias != NULL)
        for (int b = 0; b < BLOCK; b++)
          bias[b] = job->bias[(p0 + b) / job->per_bias];
      c2r16 (lanes, (h + 1) & ~1, real);
#if defined(__x86_64__)
      if (job->kind == STORE_POOL)
        store_pool16 (job, p0, real, bias);
      else
        store_planes16 (real, h, w, bias, job->relu, job->dst + p0 * h * w);
#endif
      return;
    }
  if (fc->simd16)
    {
      c2r16 (lanes, 16, real);
      for (int b = 0; b < count; b++)
        if (job->kind == STORE_POOL)
          pool_grid (job, p0 + b, real + b, BLOCK);
        else
          store_grid (job, p0 + b, real + b, BLOCK);
      return;
    }
  for (int f = 0; f < fc->freqs; f++)
    for (int b = 0; b < BLOCK; b++)
      {
        spec[2 * ((gsize) b * fc->half + f)] = lanes[(gsize) f * 2 * BLOCK + b];
        spec[2 * ((gsize) b * fc->half + f) + 1] = lanes[(gsize) f * 2 * BLOCK + BLOCK + b];
      }
  fftwf_execute_dft_c2r (fc->c2r, (fftwf_complex *) spec, real);
  for (int b = 0; b < count; b++)
    if (job->kind == STORE_POOL)
      pool_grid (job, p0 + b, real + (gsize) b * fc->grid, 1);
    else
      store_grid (job, p0 + b, real + (gsize) b * fc->grid, 1);
}

/* Task t transforms a contiguous run of planes, GROUP·BLOCK at a time; every
 * plane is computed alone, so the split never changes a result. */
static void
transform_task (gpointer data,
                guint    task)
{
  TransformJob *job = data;
  CvlFftConv *fc = job->fc;
  gsize run = GROUP * BLOCK, groups = (job->planes + run - 1) / run;
  gsize first = groups * task / job->tasks * run;
  gsize last = MIN (job->planes, groups * (task + 1) / job->tasks * run);
  gsize stride = (gsize) fc->freqs * 2 * BLOCK;
  float *real = fc->real[task], *spec = fc->spec[task], *lanes = fc->lanes[task];
  gboolean load = job->kind == LOAD_INPUT || job->kind == LOAD_WEIGHT ||
                  job->kind == LOAD_UNPOOL;

  for (gsize p0 = first; p0 < last; p0 += run)
    {
      int count = (int) MIN (run, last - p0);

      if (load)
        {
          for (int g = 0; g * BLOCK < count; g++)
            forward_block (job, p0 + g * BLOCK, MIN (BLOCK, count - g * BLOCK), real, spec,
                           lanes + g * stride);
          scatter (job, lanes, p0, count);
        }
      else
        {
          gather (job, lanes, p0, count);
          for (int g = 0; g * BLOCK < count; g++)
            inverse_block (job, p0 + g * BLOCK, MIN (BLOCK, count - g * BLOCK), real, spec,
                           lanes + g * stride);
        }
    }
}

static void
run_transform (TransformJob *template)
{
  TransformJob job = *template;
  CvlFftConv *fc = job.fc;
  gsize planes = job.planes;
  gsize groups = (planes + GROUP * BLOCK - 1) / (GROUP * BLOCK);
  int threads = cvl_nn_get_threads ();

  /* Tasks own scratch by index; a fixed count keeps the split independent
   * of the threads. One thread for small jobs (batch-1 inference). */
  job.tasks = (int) MIN ((gsize) MAX_TASKS, groups);
  if ((gsize) planes * fc->grid < ((gsize) 1 << 15))
    threads = 1;
  cvl_parallel_for (job.tasks, threads, transform_task, &job, NULL);
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

  run_transform (&job);
}

/* -- Per-frequency products ------------------------------------------------- */

typedef struct
{
  CvlFftConv *fc;
  int         n;
  gboolean    backward, want_din;
  gboolean    new_weights;   /* build W's block matrix from Wc first */
} ProductJob;

/* Y = W·X for a few images (drawing: one) from the compact spectra, which
 * are half the bytes of the block matrix and need no packing: sgemm's
 * packing of W cost more than the product itself there. */
SIMD_ATTRIBUTES static void
product_few (const CvlFftConv *fc,
             int               n,
             guint             f)
{
  int ci = fc->s.c_in, co = fc->s.c_out;
  gsize pw = (gsize) co * ci;
  const float *wr = fc->wc + (gsize) f * 2 * pw, *wi = wr + pw;
  const float *x = fc->x + (gsize) f * 2 * ci * n;
  float *y = fc->y + (gsize) f * 2 * co * n;
  float xr[ci], xi[ci];

  for (int j = 0; j < n; j++)
    {
      for (int i = 0; i < ci; i++)
        {
          xr[i] = x[(gsize) i * n + j];
          xi[i] = x[(gsize) (ci + i) * n + j];
        }
      for (int o = 0; o < co; o++)
        {
          const float *a = wr + (gsize) o * ci, *b = wi + (gsize) o * ci;
          V8 sr = { 0 }, si = { 0 };
          float re = 0.f, im = 0.f;
          int i = 0;

          for (; i + 8 <= ci; i += 8)
            {
              V8 ar, br, vr, vi;

              memcpy (&ar, a + i, sizeof ar);
              memcpy (&br, b + i, sizeof br);
              memcpy (&vr, xr + i, sizeof vr);
              memcpy (&vi, xi + i, sizeof vi);
              sr += ar * vr - br * vi;
              si += ar * vi + br * vr;
            }
          for (int l = 0; l < 8; l++)
            re += sr[l], im += si[l];
          for (; i < ci; i++)
            {
              re += a[i] * xr[i] - b[i] * xi[i];
              im += a[i] * xi[i] + b[i] * xr[i];
            }
          y[(gsize) o * n + j] = re;
          y[(gsize) (co + o) * n + j] = im;
        }
    }
}

static void
product_freq (gpointer data,
              guint    f)
{
  ProductJob *job = data;
  CvlFftConv *fc = job->fc;
  int ci = fc->s.c_in, co = fc->s.c_out, ci2 = 2 * ci, co2 = 2 * co, n = job->n;
  gsize pw = (gsize) co * ci;
  float *x = fc->x + (gsize) f * ci2 * n;
  float *y = fc->y + (gsize) f * co2 * n;
  float *w = fc->wf + (gsize) f * co2 * ci2;
  float *g = fc->g + (gsize) f * co2 * ci2;

  if (job->new_weights)
    {
      const float *re = fc->wc + (gsize) f * 2 * pw, *im = re + pw;

      /* [[Re, −Im], [Im, Re]] */
      for (int o = 0; o < co; o++)
        for (int i = 0; i < ci; i++)
          {
            w[(gsize) o * ci2 + i] = w[(gsize) (co + o) * ci2 + ci + i] = re[o * ci + i];
            w[(gsize) (co + o) * ci2 + i] = im[o * ci + i];
            w[(gsize) o * ci2 + ci + i] = -im[o * ci + i];
          }
    }
  if (!job->backward && n < FEW_IMAGES)
    {
      product_few (fc, n, f);
      return;
    }
  if (!job->backward)
    {
      /* Y [2Co, N] = W [2Co, 2Ci] × X [2Ci, N] */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, co2, n, ci2, 1.f, w, ci2, x, n,
                   0.f, y, n);
      return;
    }
  /* G [2Co, 2Ci] = dY [2Co, N] × Xᵀ [N, 2Ci]; then dX [2Ci, N] = Wᵀ [2Ci, 2Co] ×
   * dY [2Co, N] over X, no longer needed. */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, co2, ci2, n, 1.f, y, n, x, n,
               0.f, g, ci2);
  {
    float *re = fc->dwc + (gsize) f * 2 * pw, *im = re + pw;

    for (int o = 0; o < co; o++)
      for (int i = 0; i < ci; i++)
        {
          re[o * ci + i] = g[(gsize) o * ci2 + i] + g[(gsize) (co + o) * ci2 + ci + i];
          im[o * ci + i] = g[(gsize) (co + o) * ci2 + i] - g[(gsize) o * ci2 + ci + i];
        }
  }
  if (job->want_din)
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, ci2, n, co2, 1.f, w, ci2, y, n,
                 0.f, x, n);
}

static void
products (CvlFftConv *fc,
          int         n,
          gboolean    backward,
          gboolean    want_din,
          gboolean    new_weights)
{
  ProductJob job = { fc, n, backward, want_din, FALSE };
  int threads = cvl_nn_get_threads ();

  /* The block matrix only where sgemm will use it. */
  if (new_weights)
    fc->block_valid = FALSE;
  job.new_weights = !fc->block_valid && (backward || n >= FEW_IMAGES);
  fc->block_valid = fc->block_valid || job.new_weights;

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
  gboolean new_weights;

  g_return_if_fail (n >= 1 && n <= s->n);
  fc->n = n;
  /* Inference calls again and again with the same kernels: their spectra
   * only when they changed (a 200 KB compare for the lecture's conv2). */
  new_weights = !fc->wf_valid || memcmp (fc->w_seen, weight, w_bytes) != 0;
  if (new_weights)
    {
      transform (fc, LOAD_WEIGHT, (gsize) s->c_out * s->c_in, weight, NULL, fc->wc, NULL, 1,
                 FALSE);
      memcpy (fc->w_seen, weight, w_bytes);
      fc->wf_valid = TRUE;
    }
  transform (fc, LOAD_INPUT, (gsize) s->c_in * n, in, NULL, fc->x, NULL, 1, FALSE);
  products (fc, n, FALSE, FALSE, new_weights);
  if (out != NULL)
    transform (fc, STORE_OUTPUT, (gsize) s->c_out * n, NULL, out, fc->y, bias, n, relu);
}

void
cvl_nn_fft_conv_forward_pool (CvlFftConv  *fc,
                              int          n,
                              const float *in,
                              const float *weight,
                              const float *bias,
                              float       *pooled,
                              guint8      *arg,
                              gboolean     flat)
{
  const CvlConvShape *s = &fc->s;
  TransformJob job = { fc, STORE_POOL, (gsize) s->c_out * n, 0, NULL, NULL, fc->y, bias, n,
                       TRUE, n, flat, pooled, NULL, NULL, arg };

  g_return_if_fail (s->h % 2 == 0 && s->w % 2 == 0);
  cvl_nn_fft_conv_forward (fc, n, in, weight, bias, NULL, TRUE);
  run_transform (&job);
}

static void backward_from_y (CvlFftConv *fc, float *dweight, float *dbias, float *din);

void
cvl_nn_fft_conv_backward (CvlFftConv  *fc,
                          const float *dout,
                          float       *dweight,
                          float       *dbias,
                          float       *din)
{
  g_return_if_fail (fc->n >= 1);
  transform (fc, LOAD_INPUT, (gsize) fc->s.c_out * fc->n, dout, NULL, fc->y, NULL, 1, FALSE);
  backward_from_y (fc, dweight, dbias, din);
}

void
cvl_nn_fft_conv_backward_pool (CvlFftConv   *fc,
                               const float  *dpooled,
                               const float  *pooled,
                               const guint8 *arg,
                               gboolean      flat,
                               float        *dweight,
                               float        *dbias,
                               float        *din)
{
  int n = fc->n;
  TransformJob job = { fc, LOAD_UNPOOL, (gsize) fc->s.c_out * n, 0, NULL, NULL, fc->y, NULL,
                       n, FALSE, n, flat, NULL, pooled, dpooled, (guint8 *) arg };

  g_return_if_fail (n >= 1);
  run_transform (&job);
  backward_from_y (fc, dweight, dbias, din);
}

/* dout's spectra in Y → the gradients. */
static void
backward_from_y (CvlFftConv *fc,
                 float      *dweight,
                 float      *dbias,
                 float      *din)
{
  const CvlConvShape *s = &fc->s;
  int n = fc->n;

  /* Bias: each plane's sum is its spectrum at frequency 0. */
  for (int co = 0; co < s->c_out; co++)
    {
      double sum = 0;

      for (int i = 0; i < n; i++)
        sum += fc->y[(gsize) co * n + i];
      dbias[co] = (float) sum;
    }
  products (fc, n, TRUE, din != NULL, FALSE);
  transform (fc, STORE_WEIGHT, (gsize) s->c_out * s->c_in, NULL, dweight, fc->dwc, NULL, 1,
             FALSE);
  if (din != NULL)
    transform (fc, STORE_OUTPUT, (gsize) s->c_in * n, NULL, din, fc->x, NULL, 1, FALSE);
}
