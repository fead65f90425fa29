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

/* Ink as the network sees it: bright on black, the paper at 0 and the
 * strongest ink at 1; faint noise dropped. */
typedef struct
{
  gboolean inverted;
  float    paper;      /* after inversion */
  float    strongest;  /* after inversion */
  float    threshold;  /* raw level (after inversion) at INK_THRESHOLD */
  float    sign;       /* is_ink's test on the input: sign · gray >= signed_threshold */
  float    signed_threshold;
} InkScale;

static inline float
ink_lit (const InkScale *scale,
         float           gray)
{
  return scale->inverted ? 1.f - clamp01 (gray) : clamp01 (gray);
}

static inline float
ink_value (const InkScale *scale,
           float           gray)
{
  float v = (ink_lit (scale, gray) - scale->paper) / (scale->strongest - scale->paper);

  return v < NOISE_FLOOR ? 0.f : clamp01 (v);
}

/* ink_lit (gray) >= threshold in one test, no clamps (NaN is not ink). */
static inline gboolean
is_ink (const InkScale *scale,
        float           gray)
{
  return scale->sign * gray >= scale->signed_threshold;
}

typedef struct
{
  gsize area;
  int   x0, y0, x1, y1;   /* bounding box, exclusive ends */
} Blob;

/* 8-connected labelling of the ink pixels: labels[i] is 1 + the blob's
 * index, 0 elsewhere. Only pages with ink are touched. */
static GArray *
label_blobs (const float    *gray,
             int             width,
             int             height,
             const InkScale *scale,
             guint32        *labels)
{
  GArray *blobs = g_array_new (FALSE, FALSE, sizeof (Blob));
  gsize n = (gsize) width * height;
  /* Pixels are marked when pushed, so the stack never holds more than n. */
  gsize stack_size = MIN (n, 4096);
  g_autofree guint32 *stack = g_new (guint32, stack_size);

  g_assert (n <= G_MAXUINT32);

  for (gsize start = 0; start < n; start++)
    {
      Blob blob = { 0, width, height, 0, 0 };
      guint32 label;
      gsize top = 0;

      /* The first ink pixel from here that is not in a blob yet. */
      while (start < n && !is_ink (scale, gray[start]))
        start++;
      if (start == n)
        break;
      if (labels[start] != 0)
        continue;

      label = blobs->len + 1;
      labels[start] = label;
      stack[top++] = start;
      while (top > 0)
        {
          guint32 i = stack[--top];
          int x = i % width;
          int y = i / width;

          blob.area++;
          blob.x0 = MIN (blob.x0, x);
          blob.y0 = MIN (blob.y0, y);
          blob.x1 = MAX (blob.x1, x + 1);
          blob.y1 = MAX (blob.y1, y + 1);
          for (int ny = MAX (y - 1, 0); ny <= MIN (y + 1, height - 1); ny++)
            for (int nx = MAX (x - 1, 0); nx <= MIN (x + 1, width - 1); nx++)
              {
                gsize j = (gsize) ny * width + nx;

                if (labels[j] != 0 || !is_ink (scale, gray[j]))
                  continue;
                if (top == stack_size)
                  {
                    stack_size = MIN (2 * stack_size, n);
                    stack = g_renew (guint32, stack, stack_size);
                  }
                labels[j] = label;
                stack[top++] = j;
              }
        }
      g_array_append_val (blobs, blob);
    }
  return blobs;
}

/* Area-averaging resample of the w × h box `crop`, scaled by `scale`, with
 * its top-left corner at (left, top) in the 28×28 output (continuous
 * coordinates: output pixel X covers [X, X + 1)). tmp: h × 28 floats. */
static void
resample_box (const float *crop,
              int          w,
              int          h,
              double       scale,
              double       left,
              double       top,
              float       *tmp,
              float       *out)
{
  const int side = CVL_DIGIT_SIDE;
  int first[CVL_DIGIT_SIDE], end[CVL_DIGIT_SIDE];
  g_autofree float *weights = g_new (float, (gsize) w + 2 * side);
  int n_weights = 0;

  /* Output column X averages the crop columns its interval [a, b) overlaps:
   * weights (overlap · scale) for columns first[X]..end[X], laid end to end. */
  for (int X = 0; X < side; X++)
    {
      double a = MAX ((X - left) / scale, 0.0);
      double b = MIN ((X + 1 - left) / scale, (double) w);

      first[X] = end[X] = a < b ? (int) floor (a) : 0;
      for (int x = first[X]; a < b && x < b; x++, end[X]++)
        weights[n_weights++] = (MIN (b, x + 1.0) - MAX (a, (double) x)) * scale;
    }

  /* Rows: tmp[y][X], each crop row read once, in order. */
  for (int y = 0; y < h; y++)
    {
      const float *row = crop + (gsize) y * w;
      float *dest = tmp + (gsize) y * side;
      const float *weight = weights;

      for (int X = 0; X < side; X++)
        {
          float sum = 0.f;

          for (int x = first[X]; x < end[X]; x++)
            sum += *weight++ * row[x];
          dest[X] = sum;
        }
    }

  /* Columns, the same way. */
  for (int Y = 0; Y < side; Y++)
    {
      double a = MAX ((Y - top) / scale, 0.0);
      double b = MIN ((Y + 1 - top) / scale, (double) h);

      for (int X = 0; X < side; X++)
        out[Y * side + X] = 0.f;
      for (int y = (int) floor (a); a < b && y < b; y++)
        {
          float weight = (MIN (b, y + 1.0) - MAX (a, (double) y)) * scale;

          for (int X = 0; X < side; X++)
            out[Y * side + X] += weight * tmp[(gsize) y * side + X];
        }
    }

  for (int i = 0; i < side * side; i++)
    out[i] = clamp01 (out[i]);
}

/* Centre of mass of a w × h image, pixel x covering [x, x + 1). */
static gboolean
centre_of_mass (const float *values,
                int          w,
                int          h,
                double      *cx,
                double      *cy)
{
  double sum = 0, sx = 0, sy = 0;

  for (int y = 0; y < h; y++)
    {
      double row_sum = 0;

      for (int x = 0; x < w; x++)
        {
          double v = values[(gsize) y * w + x];

          row_sum += v;
          sx += v * (x + 0.5);
        }
      sum += row_sum;
      sy += row_sum * (y + 0.5);
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
  InkScale ink = { 0 };
  g_autofree guint32 *labels = NULL;
  g_autofree gboolean *kept = NULL;
  g_autofree float *crop = NULL;
  g_autofree float *tmp = NULL;
  g_autoptr(GArray) blobs = NULL;
  gsize n, largest = 0;
  float background;
  int x0, y0, x1, y1, w, h;
  double scale, left, top, cx, cy;

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

  /* The paper is what most of the border shows; ink is what differs. */
  background = border_median (gray, width, height);
  ink.inverted = info->inverted = background > 0.5f;
  ink.paper = ink.inverted ? 1.f - background : background;
  {
    float lo[4] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT };
    float hi[4] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };

    /* Four independent chains (the loop runs over every pixel); NaN fails
     * both tests. */
    for (gsize i = 0; i < n; i++)
      {
        lo[i % 4] = gray[i] < lo[i % 4] ? gray[i] : lo[i % 4];
        hi[i % 4] = gray[i] > hi[i % 4] ? gray[i] : hi[i % 4];
      }
    lo[0] = MIN (MIN (lo[0], lo[1]), MIN (lo[2], lo[3]));
    hi[0] = MAX (MAX (hi[0], hi[1]), MAX (hi[2], hi[3]));
    ink.strongest = ink.inverted ? 1.f - clamp01 (lo[0]) : clamp01 (hi[0]);
  }
  if (ink.strongest - ink.paper < MIN_CONTRAST)
    return TRUE;
  ink.threshold = ink.paper + INK_THRESHOLD * (ink.strongest - ink.paper);
  ink.sign = ink.inverted ? -1.f : 1.f;
  ink.signed_threshold = ink.inverted ? ink.threshold - 1.f : ink.threshold;

  /* Blobs. Specks of dirt are left out of the box and the picture. */
  labels = g_new0 (guint32, n);
  blobs = label_blobs (gray, width, height, &ink, labels);
  g_assert (blobs->len >= 1);
  for (guint b = 0; b < blobs->len; b++)
    largest = MAX (largest, g_array_index (blobs, Blob, b).area);

  kept = g_new0 (gboolean, blobs->len + 1);
  x0 = width;
  y0 = height;
  x1 = y1 = 0;
  for (guint b = 0; b < blobs->len; b++)
    {
      const Blob *blob = &g_array_index (blobs, Blob, b);

      if (blob->area * SPECK_RATIO < largest)
        continue;
      kept[b + 1] = TRUE;
      info->n_blobs++;
      x0 = MIN (x0, blob->x0);
      y0 = MIN (y0, blob->y0);
      x1 = MAX (x1, blob->x1);
      y1 = MAX (y1, blob->y1);
    }

  info->found = TRUE;
  info->x0 = x0;
  info->y0 = y0;
  info->x1 = x1;
  info->y1 = y1;
  w = x1 - x0;
  h = y1 - y0;

  /* The box's ink, specks erased (their faint rims, below the threshold and
   * unlabelled, stay: they weigh next to nothing). */
  crop = g_new (float, (gsize) w * h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) (y0 + y) * width + x0 + x;

        crop[(gsize) y * w + x] = kept[labels[i]] || labels[i] == 0
                                  ? ink_value (&ink, gray[i]) : 0.f;
      }

  /* The longer side of the box becomes 20 pixels. */
  scale = FIT_SIDE / MAX (w, h);
  tmp = g_new (float, (gsize) h * side);

  if (center_by_mass && centre_of_mass (crop, w, h, &cx, &cy))
    {
      /* The mass's centre maps linearly; area sampling moves it by a fraction
       * of a pixel, which one more pass corrects. Clamped so no ink is cut. */
      left = CLAMP (CENTRE - cx * scale, 0.0, side - w * scale);
      top = CLAMP (CENTRE - cy * scale, 0.0, side - h * scale);
      resample_box (crop, w, h, scale, left, top, tmp, out);
      if (centre_of_mass (out, side, side, &cx, &cy))
        {
          left = CLAMP (left + CENTRE - cx, 0.0, side - w * scale);
          top = CLAMP (top + CENTRE - cy, 0.0, side - h * scale);
        }
    }
  else
    {
      /* Whole pixels, so a box of whole pixels is not blurred. */
      left = floor ((side - w * scale) / 2 + 0.5);
      top = floor ((side - h * scale) / 2 + 0.5);
    }
  resample_box (crop, w, h, scale, left, top, tmp, out);

  if (centre_of_mass (out, side, side, &cx, &cy))
    {
      info->com_x = cx;
      info->com_y = cy;
    }
  return TRUE;
}
