/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Getting images into and out of the Kernels page: file chooser, drag and
 * drop, clipboard, Save as PNG. Decoding and encoding run on worker threads;
 * a failure leaves the current image as it was and says why in a toast. */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-image-input.h"
#include "cvl-imageio.h"
#include "cvl-kernel-page-private.h"
#include "cvl-window.h"

/* ---- loading ---------------------------------------------------------- */

typedef struct
{
  GFile  *file;     /* either a file … */
  GBytes *bytes;    /* … or encoded bytes */
  char   *name;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_clear_object (&job->file);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_free (job->name);
  g_free (job);
}

static char *
display_stem (const char *name)
{
  const char *dot = strrchr (name, '.');

  return dot != NULL && dot != name ? g_strndup (name, dot - name) : g_strdup (name);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;
  CvlImage *image;

  if (job->file != NULL && g_file_peek_path (job->file) != NULL)
    image = cvl_imageio_load (g_file_peek_path (job->file), &error);
  else if (job->file != NULL)
    {
      /* Not a local path (e.g. a GVfs location): read it, with a size cap. */
      g_autoptr (GFileInfo) info = g_file_query_info (job->file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                      0, cancellable, &error);
      g_autoptr (GBytes) bytes = NULL;

      if (info == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      if (g_file_info_get_size (info) > 512 * 1024 * 1024)
        {
          g_task_return_new_error (task, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                                   _("“%s” is too large to open."), job->name);
          return;
        }
      bytes = g_file_load_bytes (job->file, cancellable, NULL, &error);
      image = bytes ? cvl_imageio_load_bytes (bytes, job->name, &error) : NULL;
    }
  else
    image = cvl_imageio_load_bytes (job->bytes, job->name, &error);

  if (image == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_autofree char *stem = display_stem (job->name);
  g_task_return_pointer (task, cvl_source_new (image, stem), (GDestroyNotify) cvl_source_release);
}

static void
load_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);
  g_autoptr (GError) error = NULL;
  CvlSource *source = g_task_propagate_pointer (G_TASK (res), &error);

  self->jobs_in_flight--;
  if (source == NULL)
    {
      cvl_toast (GTK_WIDGET (self), "%s", error->message);
      return;
    }
  cvl_kernel_page_set_source (self, source);
}

static void
start_load (CvlKernelPage *self,
            LoadJob       *job)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, load_done, NULL);

  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  self->jobs_in_flight++;
  g_task_run_in_thread (task, load_thread);
}

void
cvl_kernel_page_open_file (CvlKernelPage *self,
                           GFile         *file)
{
  LoadJob *job;

  g_return_if_fail (CVL_IS_KERNEL_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (LoadJob, 1);
  job->file = g_object_ref (file);
  job->name = g_file_get_basename (file);
  start_load (self, job);
}

void
cvl_kernel_page_open_bytes (CvlKernelPage *self,
                            GBytes        *bytes,
                            const char    *name)
{
  LoadJob *job;

  g_return_if_fail (CVL_IS_KERNEL_PAGE (self));

  job = g_new0 (LoadJob, 1);
  job->bytes = g_bytes_ref (bytes);
  job->name = g_strdup (name);
  start_load (self, job);
}

static void
open_file_cb (GtkWidget *widget,
              GFile     *file)
{
  cvl_kernel_page_open_file (CVL_KERNEL_PAGE (widget), file);
}

static void
open_bytes_cb (GtkWidget  *widget,
               GBytes     *png,
               const char *name)
{
  cvl_kernel_page_open_bytes (CVL_KERNEL_PAGE (widget), png, name);
}

void
cvl_kernel_page_open (CvlKernelPage *self)
{
  g_return_if_fail (CVL_IS_KERNEL_PAGE (self));
  cvl_choose_file (GTK_WIDGET (self), _("Open Image"), NULL, open_file_cb);
}

/* ---- saving and copying ----------------------------------------------- */

typedef struct
{
  CvlResult *result;   /* busy-marked while the job reads it */
  char      *path;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_atomic_int_dec_and_test (&job->result->busy);
  cvl_result_release (job->result);
  g_free (job->path);
  g_free (job);
}

static SaveJob *
save_job_new (CvlKernelPage *self,
              const char    *path)
{
  SaveJob *job = g_new0 (SaveJob, 1);

  job->result = g_atomic_rc_box_acquire (self->result);
  g_atomic_int_inc (&job->result->busy);
  job->path = g_strdup (path);
  return job;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  GError *error = NULL;

  if (job->path != NULL)
    {
      if (cvl_imageio_save_png (job->result->values, job->result->alpha, job->result->map,
                                job->path, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
    }
  else
    {
      /* Decoded here too: gdk_texture_new_from_bytes is thread-safe, and a
       * big result's PNG takes the main thread well over a frame. */
      g_autoptr (GBytes) png = cvl_imageio_png_bytes (job->result->values, job->result->alpha,
                                                      job->result->map, &error);
      GdkTexture *texture = png != NULL ? gdk_texture_new_from_bytes (png, &error) : NULL;

      if (texture != NULL)
        g_task_return_pointer (task, texture, g_object_unref);
      else
        g_task_return_error (task, error);
    }
}

static void
save_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);
  SaveJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr (GError) error = NULL;
  g_autofree char *base = g_path_get_basename (job->path);

  self->jobs_in_flight--;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    cvl_toast (GTK_WIDGET (self), _("Could not save “%s”: %s"), base, error->message);
  else
    cvl_toast (GTK_WIDGET (self), _("Saved “%s”"), base);
}

static gboolean
check_result (CvlKernelPage *self)
{
  if (self->result != NULL)
    return TRUE;
  cvl_toast (GTK_WIDGET (self), _("There is no result yet to save or copy."));
  return FALSE;
}

void
cvl_kernel_page_save_to_file (CvlKernelPage *self,
                              GFile         *file)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (CVL_IS_KERNEL_PAGE (self));
  if (!check_result (self))
    return;
  if (g_file_peek_path (file) == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Convolve can only save to local folders."));
      return;
    }
  task = g_task_new (self, NULL, save_done, NULL);
  g_task_set_task_data (task, save_job_new (self, g_file_peek_path (file)),
                        (GDestroyNotify) save_job_free);
  self->jobs_in_flight++;
  g_task_run_in_thread (task, save_thread);
}

static void
save_response (GtkNativeDialog *dialog,
               int              response,
               CvlKernelPage   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      cvl_kernel_page_save_to_file (self, file);
    }
  g_object_unref (dialog);
}

void
cvl_kernel_page_save (CvlKernelPage *self)
{
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  g_return_if_fail (CVL_IS_KERNEL_PAGE (self));
  if (!check_result (self))
    return;

  dialog = gtk_file_chooser_native_new (_("Save Result as PNG"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  name = g_strdup_printf ("%s-%s.png", self->source ? self->source->name : "result",
                          self->preset_id ? self->preset_id : "kernel");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
copy_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = g_task_propagate_pointer (G_TASK (res), &error);

  self->jobs_in_flight--;
  if (texture == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Could not copy the result: %s"), error->message);
      return;
    }
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (self)), texture);
  cvl_toast (GTK_WIDGET (self), _("Result copied"));
}

void
cvl_kernel_page_copy (CvlKernelPage *self)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (CVL_IS_KERNEL_PAGE (self));
  if (!check_result (self))
    return;
  task = g_task_new (self, NULL, copy_done, NULL);
  g_task_set_task_data (task, save_job_new (self, NULL), (GDestroyNotify) save_job_free);
  self->jobs_in_flight++;
  g_task_run_in_thread (task, save_thread);
}

/* ---- clipboard and drag and drop -------------------------------------- */

void
cvl_kernel_page_paste (CvlKernelPage *self)
{
  cvl_paste_image (GTK_WIDGET (self), open_file_cb, open_bytes_cb);
}

void
cvl_kernel_page_io_init (CvlKernelPage *self)
{
  cvl_add_drop_target (GTK_WIDGET (self), open_file_cb, open_bytes_cb);
}

/* ---- kernel from an image --------------------------------------------- */

static void
kernel_image_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr (CvlImage) image = NULL;
  GError *error = NULL;
  CvlKernel *kernel = NULL;

  if (g_file_peek_path (file) == NULL)
    error = g_error_new (CVL_ERROR, CVL_ERROR_IO, _("Convolve can only open local files."));
  else if ((image = cvl_imageio_load (g_file_peek_path (file), &error)) != NULL)
    kernel = cvl_kernel_new_from_image (image, &error);
  if (kernel == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, kernel, (GDestroyNotify) cvl_kernel_free);
}

static void
kernel_image_done (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);
  g_autoptr (GError) error = NULL;
  CvlKernel *kernel = g_task_propagate_pointer (G_TASK (res), &error);

  self->jobs_in_flight--;
  if (kernel == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Could not make a kernel: %s"), error->message);
      return;
    }
  g_clear_pointer (&self->preset_id, g_free);
  self->map = CVL_MAP_CLAMP;
  cvl_kernel_page_take_kernel (self, kernel, FALSE);
}

void
cvl_kernel_page_kernel_from_file (CvlKernelPage *self,
                                  GFile         *file)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, kernel_image_done, NULL);

  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  self->jobs_in_flight++;
  g_task_run_in_thread (task, kernel_image_thread);
}

static void
kernel_file_cb (GtkWidget *widget,
                GFile     *file)
{
  cvl_kernel_page_kernel_from_file (CVL_KERNEL_PAGE (widget), file);
}

void
cvl_kernel_page_kernel_from_image_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *param)
{
  cvl_choose_file (widget, _("Kernel from Image"), NULL, kernel_file_cb);
}
