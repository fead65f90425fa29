/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlPlot's exports: PNG and SVG drawn off-screen with the view background,
 * and every point as CSV. Each is encoded in memory first and then replaces
 * the file atomically, so a failure leaves the old file as it was. The main
 * thread only records the drawing (or copies the points); encoding, which
 * takes from tens of ms (PNG) to seconds (CSV of 200k points), and writing
 * run on a worker for the async export. */
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

typedef struct
{
  CvlPlotExportFormat format;
  GFile              *file;
  int                 width, height;
  cairo_surface_t    *recording;   /* PNG: the drawing, rasterised on the worker */
  GByteArray         *svg;         /* SVG: the finished document */
  cairo_status_t      svg_status;
  GPtrArray          *names;       /* CSV: char*, one per series */
  GPtrArray          *points;      /* CSV: GArray of CvlPlotPoint, copies */
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->file);
  g_clear_pointer (&job->recording, cairo_surface_destroy);
  g_clear_pointer (&job->svg, g_byte_array_unref);
  g_clear_pointer (&job->names, g_ptr_array_unref);
  g_clear_pointer (&job->points, g_ptr_array_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportJob, export_job_free)

/* On the main thread: what the worker needs, taken from the widget. */
static ExportJob *
export_job_new (CvlPlot             *self,
                CvlPlotExportFormat  format,
                GFile               *file,
                int                  width,
                int                  height,
                GError             **error)
{
  ExportJob *job;

  if (format != CVL_PLOT_EXPORT_CSV && (width <= 0 || height <= 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("An image of %d × %d pixels cannot be made"), width, height);
      return NULL;
    }
  job = g_new0 (ExportJob, 1);
  job->format = format;
  job->file = g_object_ref (file);
  job->width = width;
  job->height = height;
  if (format == CVL_PLOT_EXPORT_CSV)
    {
      job->names = g_ptr_array_new_with_free_func (g_free);
      job->points = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      for (guint i = 0; i < self->series->len; i++)
        {
          Series *s = g_ptr_array_index (self->series, i);
          GArray *copy = g_array_sized_new (FALSE, FALSE, sizeof (CvlPlotPoint), s->points->len);

          g_array_append_vals (copy, s->points->data, s->points->len);
          g_ptr_array_add (job->names, g_strdup (s->name));
          g_ptr_array_add (job->points, copy);
        }
    }
  else if (format == CVL_PLOT_EXPORT_SVG)
    {
      cairo_surface_t *surface;
      cairo_t *cr;

      /* Vector output of lines already decimated to the pixels is cheap, so
       * the document is made here and only written on the worker. (Painted
       * from a recording surface, Cairo 1.16's SVG backend kept a reference
       * to the recording: every SVG export leaked it, LeakSanitizer saw.) */
      job->svg = g_byte_array_new ();
      surface = cairo_svg_surface_create_for_stream (append_bytes, job->svg, width, height);
      cr = cairo_create (surface);
      draw_for_export (self, cr, width, height);
      job->svg_status = cairo_status (cr);
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      if (job->svg_status == CAIRO_STATUS_SUCCESS)
        job->svg_status = cairo_surface_status (surface);
      cairo_surface_destroy (surface);
    }
  else
    {
      cairo_rectangle_t extents = { 0, 0, width, height };
      cairo_t *cr;

      /* Recording is cheap (the lines are already decimated to the pixels);
       * rasterising, compressing and writing are not. */
      job->recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
      cr = cairo_create (job->recording);
      draw_for_export (self, cr, width, height);
      cairo_destroy (cr);
    }
  return job;
}

static gboolean
encode_image (ExportJob   *job,
              GByteArray  *bytes,
              GError     **error)
{
  cairo_surface_t *surface;
  cairo_status_t status = cairo_surface_status (job->recording);
  cairo_t *cr;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, job->width, job->height);
  cr = cairo_create (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    {
      cairo_set_source_surface (cr, job->recording, 0, 0);
      cairo_paint (cr);
      status = cairo_status (cr);
    }
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, append_bytes, bytes);
  cairo_surface_destroy (surface);
  return cairo_ok (status, error);
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

static GString *
encode_csv (ExportJob *job)
{
  GString *out = g_string_new ("series,step,epoch,seconds,value,smoothed\n");

  for (guint i = 0; i < job->points->len; i++)
    {
      const char *name = g_ptr_array_index (job->names, i);
      GArray *points = g_ptr_array_index (job->points, i);

      for (guint k = 0; k < points->len; k++)
        {
          const CvlPlotPoint *p = &g_array_index (points, CvlPlotPoint, k);
          const double fields[] = { p->step, p->epoch, p->seconds, p->value, p->smoothed };

          append_csv_field (out, name);
          for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
            {
              g_string_append_c (out, ',');
              append_number (out, fields[f]);
            }
          g_string_append_c (out, '\n');
        }
    }
  return out;
}

/* On any thread: encodes and writes. */
static gboolean
export_job_run (ExportJob  *job,
                GError    **error)
{
  if (job->format == CVL_PLOT_EXPORT_CSV)
    {
      g_autoptr (GString) out = encode_csv (job);

      return replace_file (job->file, out->str, out->len, error);
    }
  else if (job->format == CVL_PLOT_EXPORT_SVG)
    return cairo_ok (job->svg_status, error) &&
           replace_file (job->file, job->svg->data, job->svg->len, error);
  else
    {
      g_autoptr (GByteArray) bytes = g_byte_array_new ();

      return encode_image (job, bytes, error) &&
             replace_file (job->file, bytes->data, bytes->len, error);
    }
}

gboolean
cvl_plot_export (CvlPlot             *self,
                 CvlPlotExportFormat  format,
                 GFile               *file,
                 int                  width,
                 int                  height,
                 GError             **error)
{
  g_autoptr (ExportJob) job = NULL;

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  job = export_job_new (self, format, file, width, height, error);
  return job != NULL && export_job_run (job, error);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (!export_job_run (task_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cvl_plot_export_async (CvlPlot             *self,
                       CvlPlotExportFormat  format,
                       GFile               *file,
                       int                  width,
                       int                  height,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  ExportJob *job;

  g_return_if_fail (CVL_IS_PLOT (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cvl_plot_export_async);
  job = export_job_new (self, format, file, width, height, &error);
  if (job == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
cvl_plot_export_finish (CvlPlot       *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
