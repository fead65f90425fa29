/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Train page's Download button: MNIST or Fashion-MNIST fetched on a
 * worker (cvl_dataset_download: mirrors, .part resume, MD5 before rename),
 * its progress read from a shared job ten times a second, Cancel that keeps
 * the .part for next time, and the data loaded once all four files are in. */
#include "config.h"

#define G_LOG_DOMAIN "Convolve"

#include <glib/gi18n.h>

#include "cvl-train-page-private.h"
#include "cvl-window.h"

#define POLL_MS 100

/* Shared by the page and the worker; the worker writes progress under the
 * lock, the page reads it. Owned by the GTask. */
typedef struct _DownloadJob
{
  GMutex                  lock;
  guint                   index;
  goffset                 done, total;
  const CvlDatasetSource *source;
  char                   *dir;
  char                   *title;     /* "MNIST" */
  GCancellable           *cancellable;
} DownloadJob;

static void
download_job_free (DownloadJob *job)
{
  g_mutex_clear (&job->lock);
  g_free (job->dir);
  g_free (job->title);
  g_clear_object (&job->cancellable);
  g_free (job);
}

void
cvl_train_page_set_download_source_for_tests (CvlTrainPage           *self,
                                              const CvlDatasetSource *source)
{
  g_return_if_fail (CVL_IS_TRAIN_PAGE (self));
  self->download_source = source;
}

void
cvl_train_page_download_show (CvlTrainPage *self,
                              gboolean      missing)
{
  gboolean offer = missing && self->download == NULL && cvl_train_page_data_key (self) != NULL;

  gtk_widget_set_visible (self->download_button, offer);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.download", offer);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.cancel-download",
                                 self->download != NULL);
}

/* Worker thread: no GTK here. */
static void
on_progress (guint    index,
             goffset  done,
             goffset  total,
             gpointer user_data)
{
  DownloadJob *job = user_data;

  g_mutex_lock (&job->lock);
  job->index = index;
  job->done = done;
  job->total = total;
  g_mutex_unlock (&job->lock);
}

static void
download_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  DownloadJob *job = task_data;
  GError *error = NULL;

  if (!cvl_dataset_download (job->source, job->dir, on_progress, job, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
poll_progress (gpointer data)
{
  CvlTrainPage *self = data;
  DownloadJob *job = self->download;
  g_autofree char *done = NULL, *total = NULL, *text = NULL;
  guint index;
  goffset bytes, size;
  double fraction;

  g_mutex_lock (&job->lock);
  index = job->index, bytes = job->done, size = job->total;
  g_mutex_unlock (&job->lock);

  done = g_format_size (bytes);
  if (size > 0)
    {
      total = g_format_size (size);
      /* Translators: file name, its number, how many files, bytes done, bytes in all */
      text = g_strdup_printf (_("%s (%u of %u): %s of %s"), job->source->files[index].name,
                              index + 1, (guint) G_N_ELEMENTS (job->source->files), done, total);
      fraction = (index + (double) bytes / size) / G_N_ELEMENTS (job->source->files);
    }
  else
    {
      text = g_strdup_printf (_("%s (%u of %u): %s"), job->source->files[index].name,
                              index + 1, (guint) G_N_ELEMENTS (job->source->files), done);
      fraction = (double) index / G_N_ELEMENTS (job->source->files);
    }
  adw_action_row_set_subtitle (self->download_row, text);
  gtk_progress_bar_set_fraction (self->download_bar, fraction);
  return G_SOURCE_CONTINUE;
}

static void
download_done (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  DownloadJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);

  if (self->download != job)
    return;   /* the page stopped watching (disposed) */
  g_clear_handle_id (&self->download_timer, g_source_remove);
  self->download = NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->download_row), FALSE);
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cvl_toast (GTK_WIDGET (self), _("Download stopped; Download resumes it"));
      else
        cvl_toast (GTK_WIDGET (self), "%s", error->message);
    }
  cvl_train_page_find_data (self);
  cvl_train_page_update_state (self);
  if (ok)
    cvl_train_page_load_data (self);
}

/* Where the files go: the folder Preferences names for MNIST if one is
 * set (the page reads MNIST from there), else the user data folder. */
static char *
download_dir (CvlTrainPage *self,
              const char   *key)
{
  if (self->settings != NULL && g_str_equal (key, "mnist"))
    {
      g_autofree char *folder = g_settings_get_string (self->settings, "dataset-folder");

      if (folder[0] != '\0')
        return g_steal_pointer (&folder);
    }
  return cvl_dataset_user_dir (key);
}

static void
download_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);
  const char *key = cvl_train_page_data_key (self);
  g_autoptr(GTask) task = NULL;
  g_autofree char *title = NULL;
  DownloadJob *job;

  if (key == NULL || self->download != NULL)
    return;
  job = g_new0 (DownloadJob, 1);
  g_mutex_init (&job->lock);
  job->total = -1;
  job->source = self->download_source != NULL ? self->download_source
                                              : cvl_dataset_source (key);
  job->dir = download_dir (self, key);
  job->cancellable = g_cancellable_new ();
  self->download = job;

  title = g_strdup_printf (_("Downloading %s into %s"),
                           g_str_equal (key, "fashion") ? _("Fashion-MNIST") : _("MNIST"),
                           job->dir);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->download_row), title);
  adw_action_row_set_subtitle (self->download_row, _("Connecting…"));
  gtk_progress_bar_set_fraction (self->download_bar, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->download_row), TRUE);
  self->download_timer = g_timeout_add (POLL_MS, poll_progress, self);
  cvl_train_page_download_show (self, FALSE);
  cvl_train_page_update_state (self);

  task = g_task_new (self, job->cancellable, download_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) download_job_free);
  g_task_run_in_thread (task, download_thread);
}

static void
cancel_download_action (GtkWidget  *widget,
                        const char *action,
                        GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);

  if (self->download != NULL)
    g_cancellable_cancel (self->download->cancellable);
}

/* Disposing: cancel, and forget the job (the task frees it). */
void
cvl_train_page_download_stop (CvlTrainPage *self)
{
  g_clear_handle_id (&self->download_timer, g_source_remove);
  if (self->download != NULL)
    g_cancellable_cancel (self->download->cancellable);
  self->download = NULL;
}

void
cvl_train_page_download_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "train.download", NULL, download_action);
  gtk_widget_class_install_action (widget_class, "train.cancel-download", NULL,
                                   cancel_download_action);
}
