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
