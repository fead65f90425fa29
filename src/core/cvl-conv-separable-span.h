/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The separable engine's vertical pass for VSPAN_ROWS output rows at once,
 * included by cvl-conv-separable.c once per instruction set: each row vector
 * loaded from the ring feeds every output row it belongs to, so a k-tap
 * column costs (k + rows − 1) / rows loads per output instead of k.
 * Expects SPAN_SUFFIX, SPAN_VEC_BYTES, optionally SPAN_TARGET, and
 * <immintrin.h> on x86-64. */

#ifdef SPAN_TARGET
#define VSPAN_ATTRIBUTES __attribute__ ((target (SPAN_TARGET)))
#else
#define VSPAN_ATTRIBUTES
#endif

#define VSPAN_PASTE2(a, b) a##_##b
#define VSPAN_PASTE(a, b) VSPAN_PASTE2 (a, b)
#define VSPAN_NAME(name) VSPAN_PASTE (name, SPAN_SUFFIX)

typedef float VSPAN_NAME (VVec) __attribute__ ((vector_size (SPAN_VEC_BYTES)));
#define VSPAN_VEC VSPAN_NAME (VVec)
#define VSPAN_LANES ((int) (SPAN_VEC_BYTES / sizeof (float)))
/* Vectors per output row in a block: 4 rows × 2 vectors of sums, two loaded
 * vectors and a weight fill the 16 registers of AVX2. */
#define VSPAN_BLOCK 2

#if !defined(__x86_64__)
#define VSPAN_STREAM(p, v) memcpy ((p), &(v), sizeof (v))
#elif SPAN_VEC_BYTES == 64
#define VSPAN_STREAM(p, v) _mm512_stream_ps ((p), (__m512) (v))
#elif SPAN_VEC_BYTES == 32
#define VSPAN_STREAM(p, v) _mm256_stream_ps ((p), (__m256) (v))
#else
#define VSPAN_STREAM(p, v) _mm_stream_ps ((p), (__m128) (v))
#endif

/* out[r][x] = scale · Σ_t w[t] · rows[r + t][x] + offset for r < VSPAN_ROWS,
 * x < n, t < k. rows[] has k + VSPAN_ROWS − 1 entries, NULL for rows that read
 * as zero; w_ext is w with VSPAN_ROWS − 1 zeros on each side, so that the
 * weight of ring row j for output row r is w_ext[VSPAN_ROWS − 1 + j − r].
 * With `stream`, every out[r] must be aligned to a vector. */
VSPAN_ATTRIBUTES static inline __attribute__ ((always_inline)) void
VSPAN_NAME (vspan_rows_impl) (float *const       *restrict out,
                              int                 n,
                              const float *const *restrict rows,
                              const float        *restrict w_ext,
                              int                 k,
                              float               scale,
                              float               offset,
                              const gboolean      stream)
{
  int x = 0;

#define VSPAN_LOAD(p) ({ VSPAN_VEC v_; memcpy (&v_, (p), sizeof v_); v_; })

  for (; x + VSPAN_BLOCK * VSPAN_LANES <= n; x += VSPAN_BLOCK * VSPAN_LANES)
    {
      VSPAN_VEC a[VSPAN_ROWS][VSPAN_BLOCK] = { { { 0 } } };

      for (int j = 0; j < k + VSPAN_ROWS - 1; j++)
        {
          const float *s = rows[j];
          VSPAN_VEC v[VSPAN_BLOCK];

          if (s == NULL)
            continue;
#pragma GCC unroll 4
          for (int b = 0; b < VSPAN_BLOCK; b++)
            v[b] = VSPAN_LOAD (s + x + b * VSPAN_LANES);
#pragma GCC unroll 8
          for (int r = 0; r < VSPAN_ROWS; r++)
            {
              float wt = w_ext[VSPAN_ROWS - 1 + j - r];

#pragma GCC unroll 4
              for (int b = 0; b < VSPAN_BLOCK; b++)
                a[r][b] += wt * v[b];
            }
        }

#pragma GCC unroll 8
      for (int r = 0; r < VSPAN_ROWS; r++)
#pragma GCC unroll 4
        for (int b = 0; b < VSPAN_BLOCK; b++)
          {
            VSPAN_VEC o = a[r][b] * scale + offset;

            if (stream)
              VSPAN_STREAM (out[r] + x + b * VSPAN_LANES, o);
            else
              memcpy (out[r] + x + b * VSPAN_LANES, &o, sizeof o);
          }
    }

#undef VSPAN_LOAD

  for (; x < n; x++)
    for (int r = 0; r < VSPAN_ROWS; r++)
      {
        float a = 0;

        for (int t = 0; t < k; t++)
          if (rows[r + t] != NULL)
            a += w_ext[VSPAN_ROWS - 1 + t] * rows[r + t][x];
        out[r][x] = a * scale + offset;
      }
}

VSPAN_ATTRIBUTES static void
VSPAN_NAME (vspan_rows) (float *const       *restrict out,
                         int                 n,
                         const float *const *restrict rows,
                         const float        *restrict w_ext,
                         int                 k,
                         float               scale,
                         float               offset)
{
  VSPAN_NAME (vspan_rows_impl) (out, n, rows, w_ext, k, scale, offset, FALSE);
}

VSPAN_ATTRIBUTES static void
VSPAN_NAME (vspan_rows_stream) (float *const       *restrict out,
                                int                 n,
                                const float *const *restrict rows,
                                const float        *restrict w_ext,
                                int                 k,
                                float               scale,
                                float               offset)
{
  VSPAN_NAME (vspan_rows_impl) (out, n, rows, w_ext, k, scale, offset, TRUE);
}

#undef VSPAN_ATTRIBUTES
#undef VSPAN_PASTE2
#undef VSPAN_PASTE
#undef VSPAN_NAME
#undef VSPAN_VEC
#undef VSPAN_LANES
#undef VSPAN_BLOCK
#undef VSPAN_STREAM
