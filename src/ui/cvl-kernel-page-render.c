/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rendering for the Kernels page: every request becomes a job on a worker
 * thread (convolve, map to pixels, build the zoom-out pyramid); the newest
 * request cancels the older ones; big images get a screen-density preview
 * first. Results are recycled so large buffers are faulted in only once. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-kernel-page-private.h"
#include "cvl-parallel.h"
#include "cvl-surface.h"
#include "cvl-window.h"

/* ---- sources and results -------------------------------------------- */

static cairo_user_data_key_t source_pixels_key;

static void
source_clear (gpointer data)
{
  CvlSource *source = data;

  /* The surface owns the pixels: the view may hold it longer than us. */
  g_clear_pointer (&source->surface, cairo_surface_destroy);
  g_clear_pointer (&source->image, cvl_image_free);
  g_clear_pointer (&source->name, g_free);
}

void
cvl_source_release (CvlSource *source)
{
  g_atomic_rc_box_release_full (source, source_clear);
}

/* Takes ownership of `image`. Safe off the main thread. */
CvlSource *
cvl_source_new (CvlImage   *image,
                const char *name)
{
  CvlSource *source = g_atomic_rc_box_new0 (CvlSource);
  CvlImage colour, alpha;
  gboolean has_alpha;

  source->image = image;
  source->name = g_strdup (name);
  cvl_image_split_alpha (image, &colour, &alpha, &has_alpha);
  source->surface = cvl_surface_wrap_mapped (&colour, has_alpha ? &alpha : NULL, CVL_MAP_CLAMP,
                                             &source->pixels, &source->capacity);
  cairo_surface_set_user_data (source->surface, &source_pixels_key, source->pixels, g_free);
  cvl_surface_attach_levels (source->surface);
  return source;
}

static void
result_clear (gpointer data)
{
  CvlResult *result = data;

  g_clear_pointer (&result->surface, cairo_surface_destroy);
  g_clear_pointer (&result->values, cvl_image_free);
  g_clear_pointer (&result->alpha, cvl_image_free);
  g_clear_pointer (&result->pixels, g_free);
}

void
cvl_result_release (CvlResult *result)
{
  g_atomic_rc_box_release_full (result, result_clear);
}

/* A result leaving the screen becomes the spare for the next render, unless
 * a save or copy still reads it. */
static void
recycle_result (CvlKernelPage *self,
                CvlResult     *result)
{
  if (result == NULL)
    return;
  g_mutex_lock (&self->spare_lock);
  if (self->spare == NULL && g_atomic_int_get (&result->busy) == 0)
    {
      self->spare = result;
      result = NULL;
    }
  g_mutex_unlock (&self->spare_lock);
  if (result != NULL)
    cvl_result_release (result);
}

static CvlResult *
take_spare (CvlKernelPage *self)
{
  CvlResult *result;

  g_mutex_lock (&self->spare_lock);
  result = g_steal_pointer (&self->spare);
  g_mutex_unlock (&self->spare_lock);
  if (result == NULL)
    result = g_atomic_rc_box_new0 (CvlResult);
  g_clear_pointer (&result->surface, cairo_surface_destroy);
  return result;
}

/* ---- rendering -------------------------------------------------------- */

/* Images above this many pixels get a quick preview first: the exact
 * result sampled at about screen density (a larger stride), then the full
 * resolution. */
#define PREVIEW_MIN_PIXELS 2000000

typedef struct
{
  CvlSource      *source;
  CvlKernel      *kernel;
  CvlConvOptions  options;      /* with the preview's extra stride, if a preview */
  CvlConvOptions  full_options; /* what the user asked for */
  CvlEngine       engine;       /* resolved: never AUTO */
  CvlMap          map;
  gboolean        preview;
  guint64         generation;
  CvlResult      *result;
} RenderJob;

static void
render_job_free (RenderJob *job)
{
  g_clear_pointer (&job->source, cvl_source_release);
  g_clear_pointer (&job->kernel, cvl_kernel_free);
  g_clear_pointer (&job->result, cvl_result_release);
  g_free (job);
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderJob *job = task_data;
  CvlResult *result = job->result;
  GError *error = NULL;
  gint64 t0 = g_get_monotonic_time (), t1;
  const CvlImage *in = job->source->image;

  /* Renders yield to the main thread: on a 2-core machine the workers would
   * otherwise take every core and the window would stutter. */
  cvl_parallel_enter_background ();
  if (!cvl_conv_apply (job->engine, in, job->kernel, &job->options,
                       &result->values, &result->alpha, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  t1 = g_get_monotonic_time ();
  /* A newer edit may have come in meanwhile: don't spend time mapping. */
  if (g_task_return_error_if_cancelled (task))
    return;
  if (in->channels != 4)
    g_clear_pointer (&result->alpha, cvl_image_free);
  result->surface = cvl_surface_wrap_mapped (result->values, result->alpha, job->map,
                                             &result->pixels, &result->capacity);
  cvl_surface_attach_levels (result->surface);
  result->map = job->map;
  result->options = job->options;
  result->engine = job->engine;
  result->preview = job->preview;
  cvl_conv_geometry (in->height, in->width, job->kernel->height, job->kernel->width,
                     &job->options, &result->geometry);
  result->conv_ms = (t1 - t0) / 1000.0;
  result->total_ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_task_return_pointer (task, g_steal_pointer (&job->result), (GDestroyNotify) cvl_result_release);
}

/* Where result pixel (0,0) sits over the input, and how big a result pixel
 * is: the block of `stride` input pixels centred on the kernel's centre tap. */
void
cvl_result_placement (const CvlResult *result,
                      double          *x0,
                      double          *y0)
{
  const CvlConvGeometry *g = &result->geometry;
  const CvlConvOptions *o = &result->options;

  *x0 = -g->pad_left + (g->k_eff_w - 1) / 2.0 + 0.5 - o->stride_w / 2.0;
  *y0 = -g->pad_top + (g->k_eff_h - 1) / 2.0 + 0.5 - o->stride_h / 2.0;
}

static void start_job (CvlKernelPage *self, RenderJob *job);

static void
show_status (CvlKernelPage   *self,
             const CvlResult *result)
{
  g_autofree char *status = NULL;

  if (result->preview)
    status = g_strdup_printf (_("Preview · %s · full resolution on its way…"),
                              cvl_engine_label (result->engine));
  else
    status = g_strdup_printf (_("%d × %d · %s · %.1f ms"),
                              result->values->width, result->values->height,
                              cvl_engine_label (result->engine), result->conv_ms);
  gtk_label_set_text (self->status_label, status);
}

static void
render_done (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);
  RenderJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr (GError) error = NULL;
  CvlResult *result = g_task_propagate_pointer (G_TASK (res), &error);
  double x0, y0;

  self->jobs_in_flight--;
  if (result == NULL)
    {
      if (g_error_matches (error, CVL_ERROR, CVL_ERROR_EMPTY_OUTPUT) && job->generation == self->generation)
        {
          /* The size read-out already explains why; drop the stale picture
           * (the view first: its surface borrows the result's pixels). */
          cvl_image_view_set_result (self->view, NULL, 0, 0, 1, 1);
          g_clear_pointer (&self->result, cvl_result_release);
          gtk_label_set_text (self->status_label, _("No output"));
        }
      else if (!g_error_matches (error, CVL_ERROR, CVL_ERROR_CANCELLED)
               && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
               && job->generation == self->generation)
        cvl_toast (GTK_WIDGET (self), _("Could not render: %s"), error->message);
      return;
    }
  if (job->generation != self->generation)
    {
      recycle_result (self, result);
      return;
    }

  /* Show the new result before the old one is recycled: the view's surface
   * borrows the old result's pixels until it lets go. */
  cvl_result_placement (result, &x0, &y0);
  cvl_image_view_set_result (self->view, result->surface, x0, y0,
                             result->options.stride_w, result->options.stride_h);
  recycle_result (self, g_steal_pointer (&self->result));
  self->result = result;
  show_status (self, result);
  cvl_kernel_page_update_inspector (self);

  if (result->preview)
    {
      /* Same request, now at full resolution. */
      self->preview_count++;
      RenderJob *full = g_new0 (RenderJob, 1);

      full->source = g_atomic_rc_box_acquire (job->source);
      full->kernel = cvl_kernel_copy (job->kernel);
      full->options = full->full_options = job->full_options;
      full->engine = cvl_conv_resolve_engine (self->engine, job->source->image->height,
                                              job->source->image->width,
                                              job->source->image->channels,
                                              job->kernel, &job->full_options);
      full->map = job->map;
      full->generation = job->generation;
      start_job (self, full);
      return;
    }
  self->render_count++;
}

static void
start_job (CvlKernelPage *self,
           RenderJob     *job)
{
  g_autoptr (GTask) task = g_task_new (self, self->render_cancellable, render_done, NULL);

  job->result = take_spare (self);
  g_task_set_source_tag (task, cvl_kernel_page_request_render);
  g_task_set_task_data (task, job, (GDestroyNotify) render_job_free);
  g_task_set_return_on_cancel (task, FALSE);
  self->jobs_in_flight++;
  g_task_run_in_thread (task, render_thread);
}

/* The extra stride of a preview: about one computed pixel per screen pixel
 * at the current zoom; 1 means no preview is worth it. */
static int
preview_step (CvlKernelPage *self)
{
  const CvlImage *in = self->source->image;
  double zoom = cvl_image_view_get_zoom (self->view);
  int step;

  if ((gint64) in->width * in->height < PREVIEW_MIN_PIXELS || zoom >= 0.5)
    return 1;
  step = (int) floor (1.0 / zoom);
  return CLAMP (step, 1, CVL_CONV_MAX_STRIDE / MAX (self->options.stride_h, self->options.stride_w));
}

void
cvl_kernel_page_request_render (CvlKernelPage *self)
{
  const CvlImage *in;
  RenderJob *job;
  int step;

  if (self->source == NULL || self->kernel == NULL)
    return;
  in = self->source->image;

  g_cancellable_cancel (self->render_cancellable);
  g_clear_object (&self->render_cancellable);
  self->render_cancellable = g_cancellable_new ();

  job = g_new0 (RenderJob, 1);
  job->source = g_atomic_rc_box_acquire (self->source);
  job->kernel = cvl_kernel_copy (self->kernel);
  job->options = job->full_options = self->options;
  job->map = self->map;
  job->generation = ++self->generation;
  step = preview_step (self);
  if (step > 1)
    {
      job->preview = TRUE;
      job->options.stride_h *= step;
      job->options.stride_w *= step;
    }
  job->engine = cvl_conv_resolve_engine (self->engine, in->height, in->width, in->channels,
                                         job->kernel, &job->options);
  start_job (self, job);
}

