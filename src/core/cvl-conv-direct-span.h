/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The direct engine's inner loops, written once and included by
 * cvl-conv-direct.c once per instruction set (AVX-512, AVX2+FMA, baseline)
 * so each copy works on that set's native vector width.
 * Expects SPAN_SUFFIX, SPAN_VEC_BYTES and optionally SPAN_TARGET. */

#ifdef SPAN_TARGET
#define SPAN_ATTRIBUTES __attribute__ ((target (SPAN_TARGET)))
#else
#define SPAN_ATTRIBUTES
#endif

#define SPAN_PASTE2(a, b) a##_##b
#define SPAN_PASTE(a, b) SPAN_PASTE2 (a, b)
#define SPAN_NAME(name) SPAN_PASTE (name, SPAN_SUFFIX)

typedef float SPAN_NAME (Vec) __attribute__ ((vector_size (SPAN_VEC_BYTES)));
#define SPAN_VEC SPAN_NAME (Vec)
#define SPAN_LANES ((int) (SPAN_VEC_BYTES / sizeof (float)))
/* Accumulators per block: enough independent FMA chains to hide latency. */
#define SPAN_BLOCK 8

/* out[x] = scale · Σ_t w[t] · src[t][x] + offset over x in [0, n). Blocks of
 * SPAN_BLOCK vectors keep their sums in registers across all taps, so each
 * output is stored once and each tap costs one load and one FMA per vector. */
SPAN_ATTRIBUTES static void
SPAN_NAME (span_stride1) (float              *restrict out,
                          int                 n,
                          const float *const *restrict src,
                          const float        *restrict w,
                          int                 n_taps,
                          float               scale,
                          float               offset)
{
  int x = 0;

#define SPAN_LOAD(p) ({ SPAN_VEC v_; memcpy (&v_, (p), sizeof v_); v_; })
#define SPAN_STORE(p, v) \
  do { SPAN_VEC s_ = (v) * scale + offset; memcpy ((p), &s_, sizeof s_); } while (0)

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
#undef SPAN_PASTE2
#undef SPAN_PASTE
#undef SPAN_NAME
#undef SPAN_VEC
#undef SPAN_LANES
#undef SPAN_BLOCK
#undef SPAN_SUFFIX
#undef SPAN_VEC_BYTES
#undef SPAN_TARGET
