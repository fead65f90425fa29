/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Turns mapped RGBA8 pixels into Cairo's native-endian premultiplied ARGB32
 * in place, so one buffer serves both steps. */
#include "config.h"

#include "cvl-map.h"
#include "cvl-surface.h"

void
cvl_image_split_alpha (const CvlImage *image,
                       CvlImage       *colour,
                       CvlImage       *alpha,
                       gboolean       *has_alpha)
{
  *colour = *image;
  *has_alpha = image->channels == 4 || image->channels == 2;
  if (*has_alpha)
    {
      colour->channels = image->channels - 1;
      *alpha = *image;
      alpha->channels = 1;
      alpha->data = cvl_image_plane (image, image->channels - 1);
    }
}

cairo_surface_t *
cvl_surface_wrap_mapped (const CvlImage  *values,
                         const CvlImage  *alpha,
                         CvlMap           map,
                         guint8         **buffer,
                         gsize           *capacity)
{
  int w = values->width, h = values->height;
  int stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, w);
  gsize needed = (gsize) stride * h;

  if (*buffer == NULL || *capacity < needed)
    {
      g_free (*buffer);
      *buffer = g_malloc (needed);
      *capacity = needed;
    }
  cvl_map_to_rgba8 (values, alpha, map, *buffer, stride);

  for (int y = 0; y < h; y++)
    {
      guint8 *p = *buffer + (gsize) y * stride;

      for (int x = 0; x < w; x++, p += 4)
        {
          guint a = p[3];
          guint r = (p[0] * a + 127) / 255;
          guint g = (p[1] * a + 127) / 255;
          guint b = (p[2] * a + 127) / 255;

          *(guint32 *) p = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
  return cairo_image_surface_create_for_data (*buffer, CAIRO_FORMAT_ARGB32, w, h, stride);
}

#define MAX_LEVELS 12
#define MIN_LEVEL_SIDE 256

typedef struct
{
  int              n;
  cairo_surface_t *level[MAX_LEVELS];   /* level[i] is about 2^-(i+1) of the original */
} Levels;

static cairo_user_data_key_t levels_key;

static void
levels_free (gpointer data)
{
  Levels *levels = data;

  for (int i = 0; i < levels->n; i++)
    cairo_surface_destroy (levels->level[i]);
  g_free (levels);
}

void
cvl_surface_attach_levels (cairo_surface_t *surface)
{
  Levels *levels = g_new0 (Levels, 1);
  cairo_surface_t *prev = surface;

  while (levels->n < MAX_LEVELS)
    {
      int w = cairo_image_surface_get_width (prev), h = cairo_image_surface_get_height (prev);
      cairo_surface_t *next;
      cairo_t *cr;

      if (MAX (w, h) <= 2 * MIN_LEVEL_SIDE)
        break;
      next = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (w + 1) / 2, (h + 1) / 2);
      cr = cairo_create (next);
      cairo_scale (cr, (double) ((w + 1) / 2) / w, (double) ((h + 1) / 2) / h);
      cairo_set_source_surface (cr, prev, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
      cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
      cairo_paint (cr);
      cairo_destroy (cr);
      levels->level[levels->n++] = next;
      prev = next;
    }
  if (levels->n == 0)
    {
      g_free (levels);
      return;
    }
  cairo_surface_set_user_data (surface, &levels_key, levels, levels_free);
}

cairo_surface_t *
cvl_surface_pick_level (cairo_surface_t *surface,
                        double           zoom,
                        double          *scale_x,
                        double          *scale_y)
{
  Levels *levels = cairo_surface_get_user_data (surface, &levels_key);
  cairo_surface_t *best = surface;
  double w = cairo_image_surface_get_width (surface);
  double h = cairo_image_surface_get_height (surface);

  *scale_x = *scale_y = 1.0;
  for (int i = 0; levels != NULL && i < levels->n; i++)
    {
      double sx = cairo_image_surface_get_width (levels->level[i]) / w;

      if (sx < zoom)
        break;
      best = levels->level[i];
      *scale_x = sx;
      *scale_y = cairo_image_surface_get_height (levels->level[i]) / h;
    }
  return best;
}
