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

/* A 3×3 kernel, stride and dilation 1, four output rows at once: the nine
 * weights stay in registers and each vector loaded from the six input rows
 * serves up to three output rows (4.5 loads per output vector instead of 9).
 * w is already scaled by the divisor's inverse; accumulators start at the
 * offset, so an output costs nine FMAs and nothing more. rows[0..5] point at
 * the first input column of the span, rows[6..9] at the rows the next call
 * will read (prefetched a row ahead, as the hardware prefetcher does not
 * follow six streams well). With `stream`, every out[i] + x must align
 * together. */
SPAN_ATTRIBUTES static inline __attribute__ ((always_inline)) void
SPAN_NAME (span_3x3_impl) (float *const       *restrict out,
                           int                 n,
                           const float *const *restrict rows,
                           const float        *restrict w,
                           float               offset,
                           const gboolean      stream)
{
  float *o0 = out[0], *o1 = out[1], *o2 = out[2], *o3 = out[3];
  const float *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
  const float *r3 = rows[3], *r4 = rows[4], *r5 = rows[5];
  const float *const *next = rows + 6;
  int x = 0;

#define SPAN_LOAD(p) ({ SPAN_VEC v_; memcpy (&v_, (p), sizeof v_); v_; })
#define SPAN_DOT3(r, x, w) ((w)[0] * (r)[(x)] + (w)[1] * (r)[(x) + 1] + (w)[2] * (r)[(x) + 2])
#define SPAN_SCALAR(x) \
  do { \
    o0[x] = SPAN_DOT3 (r0, x, w) + SPAN_DOT3 (r1, x, w + 3) + SPAN_DOT3 (r2, x, w + 6) + offset; \
    o1[x] = SPAN_DOT3 (r1, x, w) + SPAN_DOT3 (r2, x, w + 3) + SPAN_DOT3 (r3, x, w + 6) + offset; \
    o2[x] = SPAN_DOT3 (r2, x, w) + SPAN_DOT3 (r3, x, w + 3) + SPAN_DOT3 (r4, x, w + 6) + offset; \
    o3[x] = SPAN_DOT3 (r3, x, w) + SPAN_DOT3 (r4, x, w + 3) + SPAN_DOT3 (r5, x, w + 6) + offset; \
  } while (0)

  if (n < SPAN_LANES)
    {
      for (; x < n; x++)
        SPAN_SCALAR (x);
      return;
    }

  {
    const SPAN_VEC w0 = w[0] + (SPAN_VEC) { 0 }, w1 = w[1] + (SPAN_VEC) { 0 };
    const SPAN_VEC w2 = w[2] + (SPAN_VEC) { 0 }, w3 = w[3] + (SPAN_VEC) { 0 };
    const SPAN_VEC w4 = w[4] + (SPAN_VEC) { 0 }, w5 = w[5] + (SPAN_VEC) { 0 };
    const SPAN_VEC w6 = w[6] + (SPAN_VEC) { 0 }, w7 = w[7] + (SPAN_VEC) { 0 };
    const SPAN_VEC w8 = w[8] + (SPAN_VEC) { 0 };
    const SPAN_VEC c = offset + (SPAN_VEC) { 0 };

    /* One vector of each output row at x; `aligned`: streaming stores allowed. */
#define SPAN_COLUMN(x, aligned) \
  do { \
    SPAN_VEC a0 = c, a1 = c, a2 = c, a3 = c, v; \
    SPAN_ROW (r0, a0 += w0 * v, a0 += w1 * v, a0 += w2 * v, x); \
    SPAN_ROW (r1, (a0 += w3 * v, a1 += w0 * v), (a0 += w4 * v, a1 += w1 * v), \
              (a0 += w5 * v, a1 += w2 * v), x); \
    SPAN_ROW (r2, (a0 += w6 * v, a1 += w3 * v, a2 += w0 * v), \
              (a0 += w7 * v, a1 += w4 * v, a2 += w1 * v), \
              (a0 += w8 * v, a1 += w5 * v, a2 += w2 * v), x); \
    SPAN_ROW (r3, (a1 += w6 * v, a2 += w3 * v, a3 += w0 * v), \
              (a1 += w7 * v, a2 += w4 * v, a3 += w1 * v), \
              (a1 += w8 * v, a2 += w5 * v, a3 += w2 * v), x); \
    SPAN_ROW (r4, (a2 += w6 * v, a3 += w3 * v), (a2 += w7 * v, a3 += w4 * v), \
              (a2 += w8 * v, a3 += w5 * v), x); \
    SPAN_ROW (r5, a3 += w6 * v, a3 += w7 * v, a3 += w8 * v, x); \
    SPAN_PUT (o0 + (x), a0, aligned); \
    SPAN_PUT (o1 + (x), a1, aligned); \
    SPAN_PUT (o2 + (x), a2, aligned); \
    SPAN_PUT (o3 + (x), a3, aligned); \
  } while (0)
#define SPAN_ROW(r, t0, t1, t2, x) \
  do { \
    v = SPAN_LOAD ((r) + (x)); t0; \
    v = SPAN_LOAD ((r) + (x) + 1); t1; \
    v = SPAN_LOAD ((r) + (x) + 2); t2; \
  } while (0)
#define SPAN_PUT(p, v, aligned) \
  do { \
    if (stream && (aligned)) \
      SPAN_STREAM ((p), (v)); \
    else \
      memcpy ((p), &(v), sizeof (v)); \
  } while (0)

    /* Unaligned first and last vectors, overlapping the aligned ones (which
     * write the same values) so no column is left to scalar code. */
    if (stream)
      {
        SPAN_COLUMN (0, FALSE);
        x = (int) ((SPAN_VEC_BYTES - (guintptr) o0 % SPAN_VEC_BYTES) % SPAN_VEC_BYTES /
                   sizeof (float));
      }

    for (; x + SPAN_LANES <= n; x += SPAN_LANES)
      {
        /* A line of 16 floats per row: one prefetch per row every 64 bytes. */
        if (next[0] != NULL && (x * sizeof (float)) % 64 < SPAN_VEC_BYTES)
          for (int i = 0; i < 4; i++)
            __builtin_prefetch (next[i] + x, 0, 3);
        SPAN_COLUMN (x, TRUE);
      }
    if (x < n)
      SPAN_COLUMN (n - SPAN_LANES, FALSE);
  }

#undef SPAN_COLUMN
#undef SPAN_ROW
#undef SPAN_LOAD
#undef SPAN_PUT
#undef SPAN_DOT3
#undef SPAN_SCALAR
}

SPAN_ATTRIBUTES G_GNUC_UNUSED static void
SPAN_NAME (span_3x3) (float *const       *restrict out,
                      int                 n,
                      const float *const *restrict rows,
                      const float        *restrict w,
                      float               offset)
{
  SPAN_NAME (span_3x3_impl) (out, n, rows, w, offset, FALSE);
}

SPAN_ATTRIBUTES G_GNUC_UNUSED static void
SPAN_NAME (span_3x3_stream) (float *const       *restrict out,
                             int                 n,
                             const float *const *restrict rows,
                             const float        *restrict w,
                             float               offset)
{
  SPAN_NAME (span_3x3_impl) (out, n, rows, w, offset, TRUE);
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
