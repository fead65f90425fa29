/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MNIST-style preprocessing of one digit: background from the border, ink
 * stretched to [0, 1], its bounding box (specks dropped) resampled by area
 * averaging into 20×20 keeping the aspect ratio, placed in 28×28 so that the
 * centre of mass sits at the centre. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cvl-digit.h"
#include "cvl-error.h"
#include "cvl-image.h"

#define FIT_SIDE       20.0
#define CENTRE         (CVL_DIGIT_SIDE / 2.0)
/* On the 0..1 scale of the input: less contrast than this is a blank picture. */
#define MIN_CONTRAST   0.1f
/* On the stretched scale (strongest ink = 1): */
#define NOISE_FLOOR    0.1f    /* paper texture and JPEG noise below this are dropped */
#define INK_THRESHOLD  0.3f    /* what counts as ink for the box and the blobs */
/* A blob with fewer pixels than 1/SPECK_RATIO of the largest is a speck of dirt. */
#define SPECK_RATIO    50

static int
compare_floats (const void *a,
                const void *b)
{
  float x = *(const float *) a;
  float y = *(const float *) b;

  return (x > y) - (x < y);
}

static float
clamp01 (float v)
{
  /* NaN fails both tests and becomes 0. */
  return v > 0.f ? (v < 1.f ? v : 1.f) : 0.f;
}

/* The median of the outermost rows and columns: the paper's brightness
 * unless ink covers more than half of the border. */
static float
border_median (const float *gray,
               int          width,
               int          height)
{
  g_autofree float *border = NULL;
  gsize n = 0;

  border = g_new (float, 2 * (gsize) width + 2 * (gsize) height);
  for (int x = 0; x < width; x++)
    {
      border[n++] = clamp01 (gray[x]);
      if (height > 1)
        border[n++] = clamp01 (gray[(gsize) (height - 1) * width + x]);
    }
  for (int y = 1; y < height - 1; y++)
    {
      border[n++] = clamp01 (gray[(gsize) y * width]);
      if (width > 1)
        border[n++] = clamp01 (gray[(gsize) y * width + width - 1]);
    }

  qsort (border, n, sizeof (float), compare_floats);
  return n % 2 == 1 ? border[n / 2] : 0.5f * (border[n / 2 - 1] + border[n / 2]);
}

/* 8-connected labelling of the pixels at or above INK_THRESHOLD: labels[i]
 * is 1 + the blob's index, 0 for background. Returns the blobs' pixel counts. */
static GArray *
label_blobs (const float *ink,
             int          width,
             int          height,
             guint32     *labels)
{
  GArray *areas = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize n = (gsize) width * height;

  for (gsize start = 0; start < n; start++)
    {
      guint32 label;
      gsize area = 0;

      if (labels[start] != 0 || ink[start] < INK_THRESHOLD)
        continue;

      label = areas->len + 1;
      labels[start] = label;
      g_array_append_val (stack, start);
      while (stack->len > 0)
        {
          gsize i = g_array_index (stack, gsize, stack->len - 1);
          int x = i % width;
          int y = i / width;

          g_array_set_size (stack, stack->len - 1);
          area++;
          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              {
                int nx = x + dx, ny = y + dy;
                gsize j;

                if (nx < 0 || nx >= width || ny < 0 || ny >= height)
                  continue;
                j = (gsize) ny * width + nx;
                if (labels[j] == 0 && ink[j] >= INK_THRESHOLD)
                  {
                    labels[j] = label;
                    g_array_append_val (stack, j);
                  }
              }
        }
      g_array_append_val (areas, area);
    }
  return areas;
}

/* Area-averaging resample of the box [x0, x1) × [y0, y1) of `ink`, scaled by
 * `scale`, with the box's top-left corner at (left, top) in the 28×28 output
 * (continuous coordinates: pixel X covers [X, X + 1)). tmp: (y1 - y0) × 28. */
static void
resample_box (const float *ink,
              int          width,
              int          x0,
              int          y0,
              int          x1,
              int          y1,
              double       scale,
              double       left,
              double       top,
              float       *tmp,
              float       *out)
{
  const int side = CVL_DIGIT_SIDE;

  /* Rows: tmp[y - y0][X] = Σ_x overlap(X's source interval, [x, x+1)) · scale · ink */
  for (int X = 0; X < side; X++)
    {
      double a = MAX (x0 + (X - left) / scale, (double) x0);
      double b = MIN (x0 + (X + 1 - left) / scale, (double) x1);

      for (int y = y0; y < y1; y++)
        tmp[(gsize) (y - y0) * side + X] = 0.f;
      if (a >= b)
        continue;
      for (int x = (int) floor (a); x < b; x++)
        {
          float w = (MIN (b, x + 1.0) - MAX (a, (double) x)) * scale;

          for (int y = y0; y < y1; y++)
            tmp[(gsize) (y - y0) * side + X] += w * ink[(gsize) y * width + x];
        }
    }

  /* Columns, the same way. */
  for (int Y = 0; Y < side; Y++)
    {
      double a = MAX (y0 + (Y - top) / scale, (double) y0);
      double b = MIN (y0 + (Y + 1 - top) / scale, (double) y1);

      for (int X = 0; X < side; X++)
        out[Y * side + X] = 0.f;
      if (a >= b)
        continue;
      for (int y = (int) floor (a); y < b; y++)
        {
          float w = (MIN (b, y + 1.0) - MAX (a, (double) y)) * scale;

          for (int X = 0; X < side; X++)
            out[Y * side + X] += w * tmp[(gsize) (y - y0) * side + X];
        }
    }

  for (int i = 0; i < side * side; i++)
    out[i] = clamp01 (out[i]);
}

/* Centre of mass with pixel X at X + 0.5, so a centred digit gives 14, 14. */
static gboolean
centre_of_mass (const float *values,
                int          width,
                int          x0,
                int          y0,
                int          x1,
                int          y1,
                double      *cx,
                double      *cy)
{
  double sum = 0, sx = 0, sy = 0;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        double v = values[(gsize) y * width + x];

        sum += v;
        sx += v * (x + 0.5);
        sy += v * (y + 0.5);
      }
  if (sum <= 0)
    return FALSE;
  *cx = sx / sum;
  *cy = sy / sum;
  return TRUE;
}

gboolean
cvl_digit_preprocess (const float   *gray,
                      int            width,
                      int            height,
                      gboolean       center_by_mass,
                      float         *out,
                      CvlDigitInfo  *info,
                      GError       **error)
{
  const int side = CVL_DIGIT_SIDE;
  CvlDigitInfo local_info;
  g_autofree float *ink = NULL;
  g_autofree guint32 *labels = NULL;
  g_autofree float *tmp = NULL;
  g_autoptr(GArray) areas = NULL;
  gsize n, largest = 0;
  float background, strongest = 0.f;
  int x0, y0, x1, y1;
  double scale, box_w, box_h, left, top, cx, cy;

  g_return_val_if_fail (gray != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (info == NULL)
    info = &local_info;
  memset (info, 0, sizeof *info);
  memset (out, 0, sizeof (float) * side * side);

  if (width < 1 || height < 1 || (guint64) width * height > CVL_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "A digit picture of %d×%d pixels cannot be read: each side must be "
                   "at least 1 and the whole at most %" G_GUINT64_FORMAT " pixels",
                   width, height, (guint64) CVL_IMAGE_MAX_PIXELS);
      return FALSE;
    }
  n = (gsize) width * height;

  /* Ink bright on black, the paper at 0 and the strongest ink at 1. */
  background = border_median (gray, width, height);
  info->inverted = background > 0.5f;
  if (info->inverted)
    background = 1.f - background;

  ink = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    {
      ink[i] = clamp01 (info->inverted ? 1.f - clamp01 (gray[i]) : gray[i]);
      strongest = MAX (strongest, ink[i]);
    }
  if (strongest - background < MIN_CONTRAST)
    return TRUE;
  for (gsize i = 0; i < n; i++)
    {
      float v = (ink[i] - background) / (strongest - background);

      ink[i] = v < NOISE_FLOOR ? 0.f : clamp01 (v);
    }

  /* Blobs; specks are erased so they neither stretch the box nor move the
   * centre of mass. */
  labels = g_new0 (guint32, n);
  areas = label_blobs (ink, width, height, labels);
  for (guint b = 0; b < areas->len; b++)
    largest = MAX (largest, g_array_index (areas, gsize, b));

  x0 = width;
  y0 = height;
  x1 = y1 = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        gsize i = (gsize) y * width + x;
        guint32 label = labels[i];

        if (label == 0)
          continue;
        if (g_array_index (areas, gsize, label - 1) * SPECK_RATIO < largest)
          {
            ink[i] = 0.f;
            continue;
          }
        x0 = MIN (x0, x);
        y0 = MIN (y0, y);
        x1 = MAX (x1, x + 1);
        y1 = MAX (y1, y + 1);
      }
  for (guint b = 0; b < areas->len; b++)
    if (g_array_index (areas, gsize, b) * SPECK_RATIO >= largest)
      info->n_blobs++;
  g_assert (info->n_blobs >= 1 && x0 < x1 && y0 < y1);

  info->found = TRUE;
  info->x0 = x0;
  info->y0 = y0;
  info->x1 = x1;
  info->y1 = y1;

  /* The longer side of the box becomes 20 pixels. */
  scale = FIT_SIDE / MAX (x1 - x0, y1 - y0);
  box_w = (x1 - x0) * scale;
  box_h = (y1 - y0) * scale;
  tmp = g_new (float, (gsize) (y1 - y0) * side);

  if (center_by_mass && centre_of_mass (ink, width, x0, y0, x1, y1, &cx, &cy))
    {
      /* The mass's centre maps linearly; area sampling moves it by a fraction
       * of a pixel, which one more pass corrects. Clamped so no ink is cut. */
      left = CLAMP (CENTRE - (cx - x0) * scale, 0.0, side - box_w);
      top = CLAMP (CENTRE - (cy - y0) * scale, 0.0, side - box_h);
      resample_box (ink, width, x0, y0, x1, y1, scale, left, top, tmp, out);
      if (centre_of_mass (out, side, 0, 0, side, side, &cx, &cy))
        {
          left = CLAMP (left + CENTRE - cx, 0.0, side - box_w);
          top = CLAMP (top + CENTRE - cy, 0.0, side - box_h);
        }
    }
  else
    {
      /* Whole pixels, so a box of whole pixels is not blurred. */
      left = floor ((side - box_w) / 2 + 0.5);
      top = floor ((side - box_h) / 2 + 0.5);
    }
  resample_box (ink, width, x0, y0, x1, y1, scale, left, top, tmp, out);

  if (centre_of_mass (out, side, 0, 0, side, side, &cx, &cy))
    {
      info->com_x = cx;
      info->com_y = cy;
    }
  return TRUE;
}
