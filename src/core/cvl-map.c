/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Display maps: unmapped float results to 8-bit RGBA. This runs for every
 * result the UI shows (up to 12 MP), so it reads each plane once for the
 * statistics it needs and converts rows in parallel. */
#include "config.h"

#include <math.h>

#include "cvl-conv.h"
#include "cvl-map.h"
#include "cvl-parallel.h"

#define ROWS_PER_TASK 64
#define DIVERGING_STEPS 1024

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
  const guint8   *diverging; /* [DIVERGING_STEPS + 1, 3] for signed gray */
} MapJob;

static inline guint8
to_byte (float v)
{
  /* fmaxf first: a NaN becomes 0 instead of an undefined conversion */
  return (guint8) (fminf (fmaxf (v, 0.0f), 1.0f) * 255.0f + 0.5f);
}

/* Blue (negative) – light gray (0) – red (positive), after Moreland's
 * "coolwarm", interpolated linearly between its ends and its centre. */
static const guint8 *
diverging_table (void)
{
  static const float cool[3] = { 0.230f, 0.299f, 0.754f };
  static const float neutral[3] = { 0.865f, 0.865f, 0.865f };
  static const float warm[3] = { 0.706f, 0.016f, 0.150f };
  static guint8 table[(DIVERGING_STEPS + 1) * 3];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (int i = 0; i <= DIVERGING_STEPS; i++)
        {
          float t = 2.0f * i / DIVERGING_STEPS - 1.0f; /* −1 … 1 */
          const float *end = t < 0 ? cool : warm;

          for (int c = 0; c < 3; c++)
            table[i * 3 + c] = to_byte (neutral[c] + fabsf (t) * (end[c] - neutral[c]));
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
  float lo = INFINITY, hi = -INFINITY;

  for (int c = 0; c < values->channels; c++)
    {
      const float *src = cvl_image_plane (values, c) + (gsize) first_row * values->width;

      /* comparisons rather than fminf/fmaxf so the loop vectorises */
      for (gsize i = 0; i < n; i++)
        {
          lo = src[i] < lo ? src[i] : lo;
          hi = src[i] > hi ? src[i] : hi;
        }
    }

  job->ranges[task] = (Range) { lo, hi };
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

  for (int y = first_row; y < last_row; y++)
    {
      guint8 *dst = job->pixels + (gsize) y * job->stride;
      const float *alpha = job->alpha ? job->alpha->data + (gsize) y * width : NULL;

      for (int c = 0; c < 3; c++)
        {
          const float *src = cvl_image_plane (values, gray ? 0 : c) + (gsize) y * width;

          switch (job->map)
            {
            case CVL_MAP_ABS:
              for (int x = 0; x < width; x++)
                dst[4 * x + c] = to_byte (fabsf (src[x]));
              break;

            case CVL_MAP_SIGNED:
              if (gray)
                {
                  for (int x = 0; x < width; x++)
                    {
                      /* scale/shift take v to [0, 1]; NaN reads as the centre */
                      float t = job->scale * src[x] + job->shift;
                      int i = (int) (fminf (fmaxf (t, 0.0f), 1.0f) * DIVERGING_STEPS + 0.5f);

                      if (isnan (t))
                        i = DIVERGING_STEPS / 2;
                      dst[4 * x + c] = job->diverging[i * 3 + c];
                    }
                  break;
                }
              G_GNUC_FALLTHROUGH;

            case CVL_MAP_CLAMP:
            case CVL_MAP_NORMALIZE:
            default:
              for (int x = 0; x < width; x++)
                dst[4 * x + c] = to_byte (job->scale * src[x] + job->shift);
              break;
            }
        }

      for (int x = 0; x < width; x++)
        dst[4 * x + 3] = alpha ? to_byte (alpha[x]) : 255;
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
