/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlPlot's exports: PNG and SVG drawn off-screen with the view background,
 * and every point as CSV. Each is encoded in memory first and then replaces
 * the file atomically, so a failure leaves the old file as it was. */
#include "config.h"

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cvl-plot-private.h"

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
replace_file (GFile       *file,
              const void  *data,
              gsize        size,
              GError     **error)
{
  /* g_file_replace_contents writes a temporary file and renames it */
  return g_file_replace_contents (file, data, size, NULL, FALSE, G_FILE_CREATE_NONE,
                                  NULL, NULL, error);
}

static gboolean
cairo_ok (cairo_status_t   status,
          GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not draw the plot: %s"),
               cairo_status_to_string (status));
  return FALSE;
}

static void
draw_for_export (CvlPlot *self,
                 cairo_t *cr,
                 int      width,
                 int      height)
{
  Palette pal;

  cvl_plot_palette_from_style (self, TRUE, &pal);
  gdk_cairo_set_source_rgba (cr, &pal.bg);
  cairo_paint (cr);
  cvl_plot_draw_full (self, cr, width, height, FALSE);
}

gboolean
cvl_plot_export_png (CvlPlot  *self,
                     GFile    *file,
                     int       width,
                     int       height,
                     GError  **error)
{
  g_autoptr (GByteArray) bytes = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("An image of %d × %d pixels cannot be made"), width, height);
      return FALSE;
    }
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  draw_for_export (self, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  bytes = g_byte_array_new ();
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, append_bytes, bytes);
  cairo_surface_destroy (surface);

  return cairo_ok (status, error) && replace_file (file, bytes->data, bytes->len, error);
}

gboolean
cvl_plot_export_svg (CvlPlot  *self,
                     GFile    *file,
                     int       width,
                     int       height,
                     GError  **error)
{
  g_autoptr (GByteArray) bytes = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("An image of %d × %d pixels cannot be made"), width, height);
      return FALSE;
    }
  bytes = g_byte_array_new ();
  surface = cairo_svg_surface_create_for_stream (append_bytes, bytes, width, height);
  cr = cairo_create (surface);
  draw_for_export (self, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  return cairo_ok (status, error) && replace_file (file, bytes->data, bytes->len, error);
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void
append_number (GString *out,
               double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.15g", v);
  if (g_ascii_strtod (buf, NULL) != v && !isnan (v))
    g_ascii_formatd (buf, sizeof buf, "%.17g", v);
  g_string_append (out, buf);
}

static void
append_csv_field (GString    *out,
                  const char *text)
{
  if (strpbrk (text, ",\"\n\r") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

gboolean
cvl_plot_export_csv (CvlPlot  *self,
                     GFile    *file,
                     GError  **error)
{
  g_autoptr (GString) out = g_string_new ("series,step,epoch,seconds,value,smoothed\n");

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < s->points->len; k++)
        {
          const CvlPlotPoint *p = &g_array_index (s->points, CvlPlotPoint, k);
          const double fields[] = { p->step, p->epoch, p->seconds, p->value, p->smoothed };

          append_csv_field (out, s->name);
          for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
            {
              g_string_append_c (out, ',');
              append_number (out, fields[f]);
            }
          g_string_append_c (out, '\n');
        }
    }
  return replace_file (file, out->str, out->len, error);
}
