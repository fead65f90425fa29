/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The direct engine's inner loops, written once and included by
 * cvl-conv-direct.c once per instruction set (AVX-512, AVX2+FMA, baseline)
 * so each copy works on that set's native vector width.
 * Expects SPAN_SUFFIX, SPAN_VEC_BYTES and optionally SPAN_TARGET, and
 * <immintrin.h> on x86-64. */

#ifdef SPAN_TARGET
#define SPAN_ATTRIBUTES __attribute__ ((target (SPAN_TARGET)))
#else
#define SPAN_ATTRIBUTES
#endif

#define SPAN_PASTE2(a, b) a##_##b
#define SPAN_PASTE(a, b) SPAN_PASTE2 (a, b)
#define SPAN_NAME(name) SPAN_PASTE (name, SPAN_SUFFIX)

typedef float SPAN_NAME (Vec) __attribute__ ((vector_size (SPAN_VEC_BYTES)));

/* A non-temporal store of one aligned vector (a plain one where there is none). */
#if !defined(__x86_64__)
#define SPAN_STREAM(p, v) memcpy ((p), &(v), sizeof (v))
#elif SPAN_VEC_BYTES == 64
#define SPAN_STREAM(p, v) _mm512_stream_ps ((p), (__m512) (v))
#elif SPAN_VEC_BYTES == 32
#define SPAN_STREAM(p, v) _mm256_stream_ps ((p), (__m256) (v))
#else
#define SPAN_STREAM(p, v) _mm_stream_ps ((p), (__m128) (v))
#endif
#define SPAN_VEC SPAN_NAME (Vec)
#define SPAN_LANES ((int) (SPAN_VEC_BYTES / sizeof (float)))
/* Accumulators per block: enough independent FMA chains to hide latency. */
#define SPAN_BLOCK 8

/* out[x] = scale · Σ_t w[t] · src[t][x] + offset over x in [0, n). Blocks of
 * SPAN_BLOCK vectors keep their sums in registers across all taps, so each
 * output is stored once and each tap costs one load and one FMA per vector.
 * `stream` (a constant after inlining) stores around the caches: for outputs
 * far larger than the cache, it saves the read of each line before its write. */
SPAN_ATTRIBUTES static inline __attribute__ ((always_inline)) void
SPAN_NAME (span_stride1_impl) (float              *restrict out,
                               int                 n,
                               const float *const *restrict src,
                               const float        *restrict w,
                               int                 n_taps,
                               float               scale,
                               float               offset,
                               const gboolean      stream)
{
  int x = 0;

#define SPAN_LOAD(p) ({ SPAN_VEC v_; memcpy (&v_, (p), sizeof v_); v_; })
#define SPAN_STORE(p, v) \
  do { \
    SPAN_VEC s_ = (v) * scale + offset; \
    if (stream) \
      SPAN_STREAM ((p), s_); \
    else \
      memcpy ((p), &s_, sizeof s_); \
  } while (0)

  /* Streaming stores need aligned vectors: the first few outputs go alone. */
  if (stream)
    for (; x < n && ((guintptr) (out + x)) % SPAN_VEC_BYTES != 0; x++)
      {
        float a = 0;

        for (int t = 0; t < n_taps; t++)
          a += w[t] * src[t][x];
        out[x] = a * scale + offset;
      }

  for (; x + SPAN_BLOCK * SPAN_LANES <= n; x += SPAN_BLOCK * SPAN_LANES)
    {
      SPAN_VEC a[SPAN_BLOCK] = { { 0 } };

      for (int t = 0; t < n_taps; t++)
        {
          const float *s = src[t] + x;
          float wt = w[t];

#pragma GCC unroll 8
          for (int b = 0; b < SPAN_BLOCK; b++)
            a[b] += wt * SPAN_LOAD (s + b * SPAN_LANES);
        }

#pragma GCC unroll 8
      for (int b = 0; b < SPAN_BLOCK; b++)
        SPAN_STORE (out + x + b * SPAN_LANES, a[b]);
    }

  for (; x + SPAN_LANES <= n; x += SPAN_LANES)
    {
      SPAN_VEC a = { 0 };

      for (int t = 0; t < n_taps; t++)
        a += w[t] * SPAN_LOAD (src[t] + x);
      SPAN_STORE (out + x, a);
    }

#undef SPAN_LOAD
#undef SPAN_STORE

  for (; x < n; x++)
    {
      float a = 0;

      for (int t = 0; t < n_taps; t++)
        a += w[t] * src[t][x];
      out[x] = a * scale + offset;
    }
}

SPAN_ATTRIBUTES static void
SPAN_NAME (span_stride1) (float              *restrict out,
                          int                 n,
                          const float *const *restrict src,
                          const float        *restrict w,
                          int                 n_taps,
                          float               scale,
                          float               offset)
{
  SPAN_NAME (span_stride1_impl) (out, n, src, w, n_taps, scale, offset, FALSE);
}

SPAN_ATTRIBUTES static void
SPAN_NAME (span_stride1_stream) (float              *restrict out,
                                 int                 n,
                                 const float *const *restrict src,
                                 const float        *restrict w,
                                 int                 n_taps,
                                 float               scale,
                                 float               offset)
{
  SPAN_NAME (span_stride1_impl) (out, n, src, w, n_taps, scale, offset, TRUE);
}

/* A 3×3 kernel, stride and dilation 1, two output rows at once: the nine
 * weights stay in registers and each vector loaded from the four input rows
 * serves both output rows (0.75 loads per output instead of 1.1, no weight
 * loads). rows[0..3] point at the first input column of the span; with
 * `stream`, out0 + x and out1 + x must align together. */
SPAN_ATTRIBUTES static inline __attribute__ ((always_inline)) void
SPAN_NAME (span_3x3_impl) (float              *restrict out0,
                           float              *restrict out1,
                           int                 n,
                           const float *const *restrict rows,
                           const float        *restrict w,
                           float               scale,
                           float               offset,
                           const gboolean      stream)
{
  const float *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3];
  int x = 0;

#define SPAN_LOAD(p) ({ SPAN_VEC v_; memcpy (&v_, (p), sizeof v_); v_; })
#define SPAN_PUT(p, v) \
  do { \
    SPAN_VEC s_ = (v) * scale + offset; \
    if (stream) \
      SPAN_STREAM ((p), s_); \
    else \
      memcpy ((p), &s_, sizeof s_); \
  } while (0)
#define SPAN_DOT3(r, x, w) ((w)[0] * (r)[(x)] + (w)[1] * (r)[(x) + 1] + (w)[2] * (r)[(x) + 2])

  if (stream)
    for (; x < n && ((guintptr) (out0 + x)) % SPAN_VEC_BYTES != 0; x++)
      {
        out0[x] = (SPAN_DOT3 (r0, x, w) + SPAN_DOT3 (r1, x, w + 3) + SPAN_DOT3 (r2, x, w + 6)) *
                  scale + offset;
        out1[x] = (SPAN_DOT3 (r1, x, w) + SPAN_DOT3 (r2, x, w + 3) + SPAN_DOT3 (r3, x, w + 6)) *
                  scale + offset;
      }

  {
    const SPAN_VEC w0 = w[0] + (SPAN_VEC) { 0 }, w1 = w[1] + (SPAN_VEC) { 0 };
    const SPAN_VEC w2 = w[2] + (SPAN_VEC) { 0 }, w3 = w[3] + (SPAN_VEC) { 0 };
    const SPAN_VEC w4 = w[4] + (SPAN_VEC) { 0 }, w5 = w[5] + (SPAN_VEC) { 0 };
    const SPAN_VEC w6 = w[6] + (SPAN_VEC) { 0 }, w7 = w[7] + (SPAN_VEC) { 0 };
    const SPAN_VEC w8 = w[8] + (SPAN_VEC) { 0 };

    for (; x + 2 * SPAN_LANES <= n; x += 2 * SPAN_LANES)
      {
        SPAN_VEC a0 = { 0 }, a1 = { 0 }, b0 = { 0 }, b1 = { 0 };  /* rows 0 and 1, 2 vectors */
        SPAN_VEC v, u;

#define SPAN_TAP(r, dx, wa, wb) \
  do { \
    v = SPAN_LOAD ((r) + x + (dx)); \
    u = SPAN_LOAD ((r) + x + (dx) + SPAN_LANES); \
    wa; wb; \
  } while (0)
        SPAN_TAP (r0, 0, (a0 += w0 * v, a1 += w0 * u), (void) 0);
        SPAN_TAP (r0, 1, (a0 += w1 * v, a1 += w1 * u), (void) 0);
        SPAN_TAP (r0, 2, (a0 += w2 * v, a1 += w2 * u), (void) 0);
        SPAN_TAP (r1, 0, (a0 += w3 * v, a1 += w3 * u), (b0 += w0 * v, b1 += w0 * u));
        SPAN_TAP (r1, 1, (a0 += w4 * v, a1 += w4 * u), (b0 += w1 * v, b1 += w1 * u));
        SPAN_TAP (r1, 2, (a0 += w5 * v, a1 += w5 * u), (b0 += w2 * v, b1 += w2 * u));
        SPAN_TAP (r2, 0, (a0 += w6 * v, a1 += w6 * u), (b0 += w3 * v, b1 += w3 * u));
        SPAN_TAP (r2, 1, (a0 += w7 * v, a1 += w7 * u), (b0 += w4 * v, b1 += w4 * u));
        SPAN_TAP (r2, 2, (a0 += w8 * v, a1 += w8 * u), (b0 += w5 * v, b1 += w5 * u));
        SPAN_TAP (r3, 0, (void) 0, (b0 += w6 * v, b1 += w6 * u));
        SPAN_TAP (r3, 1, (void) 0, (b0 += w7 * v, b1 += w7 * u));
        SPAN_TAP (r3, 2, (void) 0, (b0 += w8 * v, b1 += w8 * u));
#undef SPAN_TAP

        SPAN_PUT (out0 + x, a0);
        SPAN_PUT (out0 + x + SPAN_LANES, a1);
        SPAN_PUT (out1 + x, b0);
        SPAN_PUT (out1 + x + SPAN_LANES, b1);
      }
  }

  for (; x < n; x++)
    {
      out0[x] = (SPAN_DOT3 (r0, x, w) + SPAN_DOT3 (r1, x, w + 3) + SPAN_DOT3 (r2, x, w + 6)) *
                scale + offset;
      out1[x] = (SPAN_DOT3 (r1, x, w) + SPAN_DOT3 (r2, x, w + 3) + SPAN_DOT3 (r3, x, w + 6)) *
                scale + offset;
    }

#undef SPAN_LOAD
#undef SPAN_PUT
#undef SPAN_DOT3
}

SPAN_ATTRIBUTES G_GNUC_UNUSED static void
SPAN_NAME (span_3x3) (float              *restrict out0,
                      float              *restrict out1,
                      int                 n,
                      const float *const *restrict rows,
                      const float        *restrict w,
                      float               scale,
                      float               offset)
{
  SPAN_NAME (span_3x3_impl) (out0, out1, n, rows, w, scale, offset, FALSE);
}

SPAN_ATTRIBUTES G_GNUC_UNUSED static void
SPAN_NAME (span_3x3_stream) (float              *restrict out0,
                             float              *restrict out1,
                             int                 n,
                             const float *const *restrict rows,
                             const float        *restrict w,
                             float               scale,
                             float               offset)
{
  SPAN_NAME (span_3x3_impl) (out0, out1, n, rows, w, scale, offset, TRUE);
}

/* The same with a column stride: one pass per tap over an accumulator row
 * (strided loads do not vectorise well, this path only has to be correct). */
SPAN_ATTRIBUTES static void
SPAN_NAME (span_strided) (float              *restrict out,
                          int                 n,
                          int                 stride,
                          const float *const *restrict src,
                          const float        *restrict w,
                          int                 n_taps,
                          float              *restrict acc,
                          float               scale,
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
    out[x] = acc[x] * scale + offset;
}

#undef SPAN_ATTRIBUTES
#undef SPAN_STREAM
#undef SPAN_PASTE2
#undef SPAN_PASTE
#undef SPAN_NAME
#undef SPAN_VEC
#undef SPAN_LANES
#undef SPAN_BLOCK
#undef SPAN_SUFFIX
#undef SPAN_VEC_BYTES
#undef SPAN_TARGET
