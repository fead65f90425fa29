/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Display maps: unmapped float results to 8-bit RGBA. This runs for every
 * result the UI shows (up to 12 MP), so it reads each plane once for the
 * statistics it needs and converts rows in parallel. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-conv.h"
#include "cvl-map.h"
#include "cvl-parallel.h"

#define ROWS_PER_TASK 64
#define CHUNK 256 /* pixels converted at a time in a row */
#define LANES 16  /* independent minima and maxima, so the search vectorises */

static const char * const map_names[] = { "clamp", "abs", "normalize", "signed" };

typedef struct
{
  const CvlImage *values;
  const CvlImage *alpha;
  CvlMap          map;
  guint8         *pixels;
  gsize           stride;
  float           scale;   /* v → scale·v + shift before clamping to [0, 1] */
  float           shift;
  const guint8   *diverging; /* [256, 3]: signed gray, by the byte v maps to */
} MapJob;

/* [0, 1] → 0…255 rounded; comparisons rather than fminf/fmaxf so loops
 * vectorise, and written so that a NaN becomes 0, never an undefined cast. */
static inline guint32
to_byte (float v)
{
  v = v > 0.0f ? v : 0.0f;
  v = v < 1.0f ? v : 1.0f;
  return (guint32) (gint32) (v * 255.0f + 0.5f); /* signed: vectorises */
}

/* Little-endian words: R in the lowest byte, as the bytes R G B A. */
#define PACK_RGB(r, g, b) GUINT32_TO_LE ((r) | (g) << 8 | (b) << 16)
#define PACK_ALPHA(a) GUINT32_TO_LE ((a) << 24)

/* Blue (negative) – light gray (0) – red (positive), after Moreland's
 * "coolwarm", interpolated linearly between its ends and its centre. Indexed
 * by to_byte (0.5 + v / (2·max |v|)): 0 is −max, 128 is exactly 0, 255 is +max. */
static const guint8 *
diverging_table (void)
{
  static const float cool[3] = { 0.230f, 0.299f, 0.754f };
  static const float neutral[3] = { 0.865f, 0.865f, 0.865f };
  static const float warm[3] = { 0.706f, 0.016f, 0.150f };
  static guint8 table[256 * 3];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (int i = 0; i < 256; i++)
        {
          float t = i < 128 ? (128 - i) / 128.0f : (i - 128) / 127.0f;
          const float *end = i < 128 ? cool : warm;

          for (int c = 0; c < 3; c++)
            table[i * 3 + c] = to_byte (neutral[c] + t * (end[c] - neutral[c]));
        }
      g_once_init_leave (&initialized, 1);
    }

  return table;
}

typedef struct
{
  float lo, hi;
} Range;

typedef struct
{
  const CvlImage *values;
  Range          *ranges; /* one per task */
} RangeJob;

static void
find_range (gpointer data,
            guint    task)
{
  const RangeJob *job = data;
  const CvlImage *values = job->values;
  int first_row = task * ROWS_PER_TASK;
  gsize n = (gsize) (MIN (first_row + ROWS_PER_TASK, values->height) - first_row) * values->width;
  float lo[LANES], hi[LANES];
  Range range = { INFINITY, -INFINITY };

  for (int l = 0; l < LANES; l++)
    {
      lo[l] = INFINITY;
      hi[l] = -INFINITY;
    }

  for (int c = 0; c < values->channels; c++)
    {
      const float *src = cvl_image_plane (values, c) + (gsize) first_row * values->width;
      gsize i = 0;

      for (; i + LANES <= n; i += LANES)
        for (int l = 0; l < LANES; l++)
          {
            lo[l] = src[i + l] < lo[l] ? src[i + l] : lo[l];
            hi[l] = src[i + l] > hi[l] ? src[i + l] : hi[l];
          }
      for (; i < n; i++)
        {
          lo[0] = src[i] < lo[0] ? src[i] : lo[0];
          hi[0] = src[i] > hi[0] ? src[i] : hi[0];
        }
    }

  for (int l = 0; l < LANES; l++)
    {
      range.lo = MIN (range.lo, lo[l]);
      range.hi = MAX (range.hi, hi[l]);
    }
  job->ranges[task] = range;
}

static void
map_rows (gpointer data,
          guint    task)
{
  const MapJob *job = data;
  const CvlImage *values = job->values;
  int width = values->width;
  int first_row = task * ROWS_PER_TASK;
  int last_row = MIN (first_row + ROWS_PER_TASK, values->height);
  gboolean gray = values->channels == 1;
  float scale = job->scale, shift = job->shift;

  for (int y = first_row; y < last_row; y++)
    {
      /* RGBA bytes as one little-endian word per pixel, built in `row` since
       * `pixels` need not be 4-byte aligned */
      guint32 row[CHUNK];
      gsize offset = (gsize) y * width;
      const float *r = cvl_image_plane (values, 0) + offset;
      const float *g = cvl_image_plane (values, gray ? 0 : 1) + offset;
      const float *b = cvl_image_plane (values, gray ? 0 : 2) + offset;
      const float *alpha = job->alpha ? job->alpha->data + offset : NULL;
      guint8 *dst = job->pixels + (gsize) y * job->stride;

      for (int x0 = 0; x0 < width; x0 += CHUNK)
        {
          int n = MIN (CHUNK, width - x0);
          const float *rx = r + x0, *gx = g + x0, *bx = b + x0;

          /* one branch-free loop per case, so each vectorises */
          if (job->map == CVL_MAP_SIGNED && gray)
            for (int x = 0; x < n; x++)
              {
                const guint8 *rgb = job->diverging + to_byte (scale * rx[x] + shift) * 3;

                row[x] = PACK_RGB ((guint32) rgb[0], (guint32) rgb[1], (guint32) rgb[2]);
              }
          else if (job->map == CVL_MAP_ABS)
            for (int x = 0; x < n; x++)
              row[x] = PACK_RGB (to_byte (fabsf (rx[x])), to_byte (fabsf (gx[x])),
                                 to_byte (fabsf (bx[x])));
          else
            for (int x = 0; x < n; x++)
              row[x] = PACK_RGB (to_byte (scale * rx[x] + shift), to_byte (scale * gx[x] + shift),
                                 to_byte (scale * bx[x] + shift));

          if (alpha != NULL)
            for (int x = 0; x < n; x++)
              row[x] |= PACK_ALPHA (to_byte (alpha[x0 + x]));
          else
            for (int x = 0; x < n; x++)
              row[x] |= PACK_ALPHA (255u);

          memcpy (dst + (gsize) x0 * 4, row, (gsize) n * 4);
        }
    }
}

void
cvl_map_to_rgba8 (const CvlImage *values,
                  const CvlImage *alpha,
                  CvlMap          map,
                  guint8         *pixels,
                  gsize           stride)
{
  MapJob job = { values, alpha, map, pixels, stride, 1.0f, 0.0f, NULL };
  guint n_tasks;

  g_return_if_fail (values != NULL);
  g_return_if_fail (values->channels == 1 || values->channels == 3);
  g_return_if_fail (alpha == NULL ||
                    (alpha->channels == 1 && alpha->width == values->width &&
                     alpha->height == values->height));
  g_return_if_fail (pixels != NULL);
  g_return_if_fail (stride >= (gsize) values->width * 4);

  n_tasks = (values->height + ROWS_PER_TASK - 1) / ROWS_PER_TASK;

  if (map == CVL_MAP_NORMALIZE || map == CVL_MAP_SIGNED)
    {
      g_autofree Range *ranges = g_new (Range, n_tasks);
      RangeJob range_job = { values, ranges };
      float lo = INFINITY, hi = -INFINITY;

      cvl_parallel_for (n_tasks, cvl_conv_get_threads (), find_range, &range_job, NULL);
      for (guint i = 0; i < n_tasks; i++)
        {
          lo = MIN (lo, ranges[i].lo);
          hi = MAX (hi, ranges[i].hi);
        }

      if (map == CVL_MAP_NORMALIZE)
        {
          /* a flat image (or a range too small for floats) maps to 0.5 */
          float range = hi - lo;

          job.scale = range > 0 && isfinite (1.0f / range) ? 1.0f / range : 0.0f;
          job.shift = job.scale > 0 ? -lo * job.scale : 0.5f;
        }
      else
        {
          /* 0 → 0.5, ±max|v| → 0 or 1; all zero stays at the centre */
          float m = fmaxf (fabsf (lo), fabsf (hi));

          job.scale = m > 0 && isfinite (0.5f / m) ? 0.5f / m : 0.0f;
          job.shift = 0.5f;
          job.diverging = diverging_table ();
        }
    }

  cvl_parallel_for (n_tasks, cvl_conv_get_threads (), map_rows, &job, NULL);
}

const char *
cvl_map_to_string (CvlMap map)
{
  g_return_val_if_fail ((guint) map < G_N_ELEMENTS (map_names), NULL);

  return map_names[map];
}

gboolean
cvl_map_from_string (const char *text,
                     CvlMap     *map)
{
  g_return_val_if_fail (text != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (map_names); i++)
    if (g_ascii_strcasecmp (text, map_names[i]) == 0)
      {
        if (map != NULL)
          *map = (CvlMap) i;
        return TRUE;
      }

  return FALSE;
}
