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
