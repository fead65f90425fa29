/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Train page's files: finding and loading the dataset, saving the model
 * and checkpoints, loading a model or checkpoint to continue from, and
 * exporting the plots. Reading and writing run on workers; the page only
 * takes the result. */
#include "config.h"

#define G_LOG_DOMAIN "Convolve"

#include <glib/gi18n.h>

#include "cvl-image-input.h"
#include "cvl-preferences-window.h"
#include "cvl-train-page-private.h"
#include "cvl-window.h"

/* -- The dataset -------------------------------------------------------- */

static const char *
choice_key (DataChoice choice)
{
  return choice == DATA_FASHION ? "fashion" : "mnist";
}

const char *
cvl_train_page_data_key (CvlTrainPage *self)
{
  DataChoice choice = adw_combo_row_get_selected (self->dataset_row);

  return choice == DATA_FOLDER ? NULL : choice_key (choice);
}

static const char *
choice_name (DataChoice choice)
{
  return choice == DATA_FASHION ? _("Fashion-MNIST") : choice == DATA_FOLDER ? _("The folder")
                                                                             : _("MNIST");
}

static void change_data (CvlTrainPage *self);

/* The folder to train from for the current choice, or NULL with a reason. */
static char *
data_dir (CvlTrainPage *self,
          GError      **error)
{
  DataChoice choice = adw_combo_row_get_selected (self->dataset_row);

  if (choice == DATA_FOLDER)
    {
      if (self->folder == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("Choose a folder that holds the four IDX files of a dataset of 28×28 "
                       "digits (raw or .gz)."));
      return g_strdup (self->folder);
    }
  if (self->settings != NULL)
    return cvl_preferences_find_dataset (self->settings, choice_key (choice), error);
  return cvl_dataset_find (choice_key (choice), error);
}

static void
on_folder_setting (CvlTrainPage *self)
{
  if (adw_combo_row_get_selected (self->dataset_row) != DATA_MNIST ||
      (self->trainer != NULL && cvl_trainer_get_state (self->trainer) == CVL_TRAINER_RUNNING))
    return;
  change_data (self);
}

void
cvl_train_page_set_settings (CvlTrainPage *self,
                             GSettings    *settings)
{
  g_return_if_fail (CVL_IS_TRAIN_PAGE (self) && G_IS_SETTINGS (settings));

  g_set_object (&self->settings, settings);
  g_signal_connect_object (settings, "changed::dataset-folder", G_CALLBACK (on_folder_setting),
                           self, G_CONNECT_SWAPPED);
  cvl_train_page_find_data (self);
}

static void
show_status (CvlTrainPage *self,
             const char   *title,
             const char   *subtitle,
             gboolean      missing)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->data_status_row), title);
  adw_action_row_set_subtitle (self->data_status_row, subtitle);
  if (missing)
    gtk_widget_add_css_class (self->locate_button, "suggested-action");
  else
    gtk_widget_remove_css_class (self->locate_button, "suggested-action");
}

void
cvl_train_page_find_data (CvlTrainPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = data_dir (self, &error);
  DataChoice choice = adw_combo_row_get_selected (self->dataset_row);
  g_autofree char *title = NULL;

  if (dir == NULL)
    {
      title = g_strdup_printf (_("%s is not on this computer"), choice_name (choice));
      show_status (self, choice == DATA_FOLDER ? _("No folder chosen") : title, error->message,
                   TRUE);
      cvl_train_page_download_show (self, TRUE);
      return;
    }
  cvl_train_page_download_show (self, FALSE);
  title = g_strdup_printf (_("%s, not loaded yet"), choice_name (choice));
  show_status (self, title, dir, FALSE);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  CvlDataset *dataset = cvl_dataset_load (task_data, &error);

  if (dataset == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, dataset, (GDestroyNotify) cvl_dataset_free);
}

static void
load_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  g_autoptr(GError) error = NULL;
  CvlDataset *dataset = g_task_propagate_pointer (G_TASK (res), &error);
  g_autofree char *title = NULL;

  self->data_loading = FALSE;
  if (dataset == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->start_when_loaded = FALSE;
      show_status (self, _("The data could not be loaded"), error->message, TRUE);
      cvl_toast (GTK_WIDGET (self), "%s", error->message);
      cvl_train_page_update_state (self);
      return;
    }
  g_clear_pointer (&self->dataset, cvl_dataset_free);
  self->dataset = dataset;
  title = g_strdup_printf (_("%s: %d training and %d test images"),
                           adw_combo_row_get_selected (self->dataset_row) == DATA_FOLDER
                           ? dataset->name
                           : choice_name (adw_combo_row_get_selected (self->dataset_row)),
                           dataset->train_images->count, dataset->test_images->count);
  show_status (self, title, dataset->dir, FALSE);
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->digit_spin),
                            dataset->test_images->count);
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->limit_spin),
                            dataset->train_images->count);
  cvl_train_page_show_digit (self);
  cvl_train_page_update_state (self);
  cvl_train_page_data_ready (self);
}

void
cvl_train_page_load_data (CvlTrainPage *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  char *dir;

  if (self->dataset != NULL || self->data_loading)
    return;
  dir = data_dir (self, &error);
  if (dir == NULL)
    {
      if (self->start_when_loaded)
        cvl_toast (GTK_WIDGET (self), "%s", error->message);
      self->start_when_loaded = FALSE;
      cvl_train_page_find_data (self);
      return;
    }
  show_status (self, _("Loading the data…"), dir, FALSE);
  self->data_loading = TRUE;
  task = g_task_new (self, self->data_cancellable, load_done, NULL);
  g_task_set_task_data (task, dir, g_free);
  g_task_run_in_thread (task, load_thread);
  cvl_train_page_update_state (self);
}

/* A new dataset: the network keeps what it learned and goes on from it. */
static void
change_data (CvlTrainPage *self)
{
  if (self->saves > 0)
    {
      /* A save reads the trainer that new data would drop. */
      cvl_toast (GTK_WIDGET (self), _("Saving; change the data once the file is written."));
      return;
    }
  if (self->preparing)
    {
      /* The worker making the trainer reads the data: not now. */
      cvl_toast (GTK_WIDGET (self), _("Training is starting; change the data once it runs."));
      return;
    }
  if (self->data_loading)
    {
      g_cancellable_cancel (self->data_cancellable);
      g_clear_object (&self->data_cancellable);
      self->data_cancellable = g_cancellable_new ();
      self->data_loading = FALSE;
    }
  g_clear_pointer (&self->dataset, cvl_dataset_free);
  /* The trainer has ended (the choice is locked while it runs): its last
   * snapshot, on the page, holds its final weights. */
  if (self->trainer != NULL && self->net != NULL)
    {
      cvl_train_page_clear_run (self);
      self->initial = cvl_net_ref_acquire (self->net);
      cvl_net_ref_set_name (self->net, _("The trained network"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->model_row),
                                     _("The trained network"));
      adw_action_row_set_subtitle (self->model_row,
                                   _("Training goes on from these weights on the new data"));
      cvl_train_page_show_net (self);
      cvl_train_page_update_state (self);
    }
  cvl_train_page_find_data (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    cvl_train_page_load_data (self);
}

static void
on_dataset_changed (CvlTrainPage *self)
{
  change_data (self);
}

void
cvl_train_page_set_folder (CvlTrainPage *self,
                           const char   *dir)
{
  g_return_if_fail (CVL_IS_TRAIN_PAGE (self) && dir != NULL);

  g_free (self->folder);
  self->folder = g_strdup (dir);
  if (adw_combo_row_get_selected (self->dataset_row) != DATA_FOLDER)
    adw_combo_row_set_selected (self->dataset_row, DATA_FOLDER);   /* notifies: change_data */
  else
    change_data (self);
}

static void
folder_chosen (GtkWidget *widget,
               GFile     *file)
{
  if (g_file_peek_path (file) == NULL)
    {
      cvl_toast (widget, _("Convolve can only read local folders."));
      return;
    }
  cvl_train_page_set_folder (CVL_TRAIN_PAGE (widget), g_file_peek_path (file));
}

static void
locate_action (GtkWidget  *widget,
               const char *action,
               GVariant   *param)
{
  cvl_choose_folder (widget, _("Choose a Folder with MNIST’s Four IDX Files"), folder_chosen);
}

/* -- Saving ------------------------------------------------------------- */

/* Both saves run on a worker that reads the page's trainer, held
 * (cvl_trainer_hold) so that freeing it waits for the worker; the page
 * locks whatever would drop or restart the trainer until they are done, and
 * holds the application so that quitting waits for the file. */
static void
saves_begin (CvlTrainPage *self)
{
  GApplication *app = g_application_get_default ();

  self->saves++;
  if (app != NULL)
    g_application_hold (app);
  cvl_train_page_update_state (self);
}

static void
saves_end (CvlTrainPage *self)
{
  GApplication *app = g_application_get_default ();

  g_assert (self->saves > 0);
  self->saves--;
  if (app != NULL)
    g_application_release (app);
  if (!self->disposed)
    cvl_train_page_update_state (self);
}

typedef struct
{
  CvlTrainer *trainer;       /* held until the worker has copied the weights, or NULL */
  CvlNetRef  *net;           /* without a trainer: the page's weights (they never change) */
  GHashTable *meta;
  char       *path;
  char       *dataset_dir;   /* hashed to tell MNIST from another folder */
  char       *dataset_name;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  if (job->trainer != NULL)
    cvl_trainer_release (job->trainer);
  g_clear_pointer (&job->net, cvl_net_ref_release);
  g_clear_pointer (&job->meta, g_hash_table_unref);
  g_free (job->path);
  g_free (job->dataset_dir);
  g_free (job->dataset_name);
  g_free (job);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  g_autoptr(CvlNet) copy = NULL;
  GError *error = NULL;

  /* 13 MB copied under the trainer's parameter lock, which a running
   * optimiser step holds for a few ms: here, not on the main thread. */
  if (job->trainer != NULL)
    {
      copy = cvl_trainer_dup_net (job->trainer);
      cvl_trainer_release (g_steal_pointer (&job->trainer));
    }
  if (job->meta != NULL && job->dataset_dir != NULL)
    g_hash_table_insert (job->meta, "dataset",
                         g_strdup (cvl_dataset_verify_mnist (job->dataset_dir, NULL)
                                   ? "mnist" : job->dataset_name));
  if (!cvl_net_save (copy != NULL ? copy : cvl_net_ref_get_net (job->net), job->path, job->meta,
                     &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
saved (GObject      *object,
       GAsyncResult *res,
       gpointer      user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  g_autoptr(GError) error = NULL;
  SaveJob *job = g_task_get_task_data (G_TASK (res));
  g_autofree char *name = g_path_get_basename (job->path);

  saves_end (self);
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    cvl_toast (GTK_WIDGET (self), _("Could not save the model: %s"), error->message);
  else
    cvl_toast (GTK_WIDGET (self), _("Saved “%s”"), name);
}

void
cvl_train_page_save_model (CvlTrainPage *self,
                           GFile        *file)
{
  g_autoptr(GTask) task = NULL;
  SaveJob *job;

  g_return_if_fail (CVL_IS_TRAIN_PAGE (self) && G_IS_FILE (file));
  if (self->net == NULL && self->trainer == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("The network is still being made; save it in a moment."));
      return;
    }
  if (g_file_peek_path (file) == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Convolve can only save to local files."));
      return;
    }
  job = g_new0 (SaveJob, 1);
  job->path = g_strdup (g_file_peek_path (file));
  if (self->trainer != NULL)
    {
      job->trainer = self->trainer;
      cvl_trainer_hold (job->trainer);
      job->meta = cvl_trainer_model_metadata (self->trainer, self->dataset != NULL
                                              ? self->dataset->name : "unknown");
      if (self->dataset != NULL)
        {
          job->dataset_dir = g_strdup (self->dataset->dir);
          job->dataset_name = g_strdup (self->dataset->name);
        }
    }
  else
    job->net = cvl_net_ref_acquire (self->net);
  saves_begin (self);
  task = g_task_new (self, NULL, saved, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
  g_task_run_in_thread (task, save_thread);
}

static void
model_file_chosen (GtkWidget *widget,
                   GFile     *file)
{
  cvl_train_page_save_model (CVL_TRAIN_PAGE (widget), file);
}

static void
save_model_action (GtkWidget  *widget,
                   const char *action,
                   GVariant   *param)
{
  cvl_choose_save_file (widget, _("Save the Model"), "lecture-model.safetensors",
                        model_file_chosen);
}

/* A checkpoint (weights and Adam's two moments, about 40 MB) is written
 * straight from the trainer's buffers, not from a snapshot: copying them
 * would cost the main thread as much as the write it saves, and a worker
 * taking the copy would have to hold the trainer still anyway. It is sound
 * because the trainer is paused or ended and the core makes no step while
 * the save runs (cvl_trainer_save_checkpoint); the page also switches off
 * Resume, Step, Stop, Reset, Load and the dataset until the save is done. */
typedef struct
{
  CvlTrainer *trainer;   /* held */
  char       *path;
} CheckpointJob;

static void
checkpoint_job_free (CheckpointJob *job)
{
  if (job->trainer != NULL)
    cvl_trainer_release (job->trainer);
  g_free (job->path);
  g_free (job);
}

static void
checkpoint_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CheckpointJob *job = task_data;
  GError *error = NULL;
  gboolean ok = cvl_trainer_save_checkpoint (job->trainer, job->path, &error);

  cvl_trainer_release (g_steal_pointer (&job->trainer));
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
checkpoint_saved (GObject      *object,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  CheckpointJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (job->path);

  self->saving_checkpoint = FALSE;
  saves_end (self);
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    cvl_toast (GTK_WIDGET (self), _("Could not save the checkpoint: %s"), error->message);
  else
    cvl_toast (GTK_WIDGET (self), _("Saved “%s”; load it to continue training"), name);
}

void
cvl_train_page_save_checkpoint (CvlTrainPage *self,
                                GFile        *file)
{
  g_autoptr(GTask) task = NULL;
  CheckpointJob *job;

  g_return_if_fail (CVL_IS_TRAIN_PAGE (self) && G_IS_FILE (file));
  if (self->trainer == NULL || cvl_trainer_get_state (self->trainer) == CVL_TRAINER_RUNNING)
    {
      cvl_toast (GTK_WIDGET (self), _("Pause or stop training to save a checkpoint."));
      return;
    }
  if (self->saving_checkpoint)
    {
      cvl_toast (GTK_WIDGET (self), _("A checkpoint is being saved; try again once it is."));
      return;
    }
  if (g_file_peek_path (file) == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Convolve can only save to local files."));
      return;
    }
  job = g_new0 (CheckpointJob, 1);
  job->trainer = self->trainer;
  cvl_trainer_hold (job->trainer);
  job->path = g_strdup (g_file_peek_path (file));
  self->saving_checkpoint = TRUE;
  saves_begin (self);
  task = g_task_new (self, NULL, checkpoint_saved, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) checkpoint_job_free);
  g_task_run_in_thread (task, checkpoint_thread);
}

static void
checkpoint_file_chosen (GtkWidget *widget,
                        GFile     *file)
{
  cvl_train_page_save_checkpoint (CVL_TRAIN_PAGE (widget), file);
}

static void
save_checkpoint_action (GtkWidget  *widget,
                        const char *action,
                        GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);

  if (self->trainer != NULL && cvl_trainer_get_state (self->trainer) == CVL_TRAINER_RUNNING)
    cvl_trainer_pause (self->trainer);
  cvl_choose_save_file (widget, _("Save a Checkpoint"), "lecture-checkpoint.safetensors",
                        checkpoint_file_chosen);
}

/* -- Loading a model or a checkpoint ------------------------------------ */

static void
net_load_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  CvlNet *net = cvl_net_load (task_data, &error);

  if (net == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, net, (GDestroyNotify) cvl_net_free);
}

static void
net_loaded (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  g_autoptr(GError) error = NULL;
  CvlNet *net = g_task_propagate_pointer (G_TASK (res), &error);
  const char *path = g_task_get_task_data (G_TASK (res));
  g_autofree char *name = g_path_get_basename (path);
  GHashTable *meta;
  const char *step = NULL, *accuracy = NULL;
  gboolean load_initial = FALSE;
  g_autofree char *subtitle = NULL;

  if (self->disposed)
    {
      g_clear_pointer (&net, cvl_net_free);
      return;
    }
  if (net == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Could not load “%s”: %s"), name, error->message);
      return;
    }
  if (self->trainer != NULL && !(cvl_train_page_get_state (self) == CVL_TRAINER_FINISHED ||
                                 cvl_train_page_get_state (self) == CVL_TRAINER_CANCELLED ||
                                 cvl_train_page_get_state (self) == CVL_TRAINER_FAILED))
    {
      cvl_net_free (net);
      cvl_toast (GTK_WIDGET (self), _("Stop training before loading a model."));
      return;
    }
  if (self->saves > 0)
    {
      cvl_net_free (net);
      cvl_toast (GTK_WIDGET (self), _("Wait for the save to finish before loading a model."));
      return;
    }
  cvl_train_page_clear_run (self);
  meta = cvl_net_get_metadata (net);
  if (meta != NULL)
    {
      step = g_hash_table_lookup (meta, "step");
      accuracy = g_hash_table_lookup (meta, "test_accuracy");
    }
  if (meta != NULL && g_hash_table_contains (meta, "convolve_checkpoint"))
    {
      self->initial_checkpoint = g_strdup (path);
      subtitle = g_strdup_printf (_("Checkpoint after step %s: Train continues this run"),
                                  step != NULL ? step : "?");
    }
  else
    {
      load_initial = TRUE;
      subtitle = accuracy != NULL
        ? g_strdup_printf (_("Model, test accuracy %s: Train starts from its weights"), accuracy)
        : g_strdup (_("Model: Train starts from its weights"));
    }
  self->last_maps = 0;
  cvl_train_page_set_net (self, net, name);
  if (load_initial)
    self->initial = cvl_net_ref_acquire (self->net);
  adw_action_row_set_subtitle (self->model_row, subtitle);
  cvl_train_page_update_state (self);
  g_signal_emit_by_name (self, "net-changed");
}

void
cvl_train_page_load_file (CvlTrainPage *self,
                          GFile        *file)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CVL_IS_TRAIN_PAGE (self) && G_IS_FILE (file));
  if (g_file_peek_path (file) == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Convolve can only open local files."));
      return;
    }
  task = g_task_new (self, NULL, net_loaded, NULL);
  g_task_set_task_data (task, g_strdup (g_file_peek_path (file)), g_free);
  g_task_run_in_thread (task, net_load_thread);
}

static void
load_chosen (GtkWidget *widget,
             GFile     *file)
{
  cvl_train_page_load_file (CVL_TRAIN_PAGE (widget), file);
}

static void
load_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  cvl_choose_file (widget, _("Load a Model or a Checkpoint"), "safetensors", load_chosen);
}

/* -- Exporting the plots ------------------------------------------------ */

typedef struct
{
  GtkWidget *page;
  char      *name;
} Export;

static void
exported (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  Export *export = user_data;
  g_autoptr(GError) error = NULL;

  if (!cvl_plot_export_finish (CVL_PLOT (object), res, &error))
    cvl_toast (export->page, _("Could not export: %s"), error->message);
  else
    cvl_toast (export->page, _("Exported “%s”"), export->name);
  g_object_unref (export->page);
  g_free (export->name);
  g_free (export);
}

/* The plot records its drawing (or copies its points) here; a worker
 * encodes and writes the file. */
static void
export_chosen (GtkWidget *widget,
               GFile     *file)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);
  const char *what = g_object_get_data (G_OBJECT (self), "cvl-export");
  CvlPlot *plot = g_str_has_prefix (what, "loss") ? self->loss_plot : self->accuracy_plot;
  CvlPlotExportFormat format = g_str_has_suffix (what, ".png") ? CVL_PLOT_EXPORT_PNG
                               : g_str_has_suffix (what, ".svg") ? CVL_PLOT_EXPORT_SVG
                               : CVL_PLOT_EXPORT_CSV;
  Export *export = g_new0 (Export, 1);

  export->page = g_object_ref (widget);
  export->name = g_file_get_basename (file);
  cvl_plot_export_async (plot, format, file, 1200, 700, NULL, exported, export);
}

static void
export_action (GtkWidget  *widget,
               const char *action,
               GVariant   *param)
{
  const char *what = g_variant_get_string (param, NULL);
  g_autofree char *name = g_strdup_printf ("convolve-%s", what);

  if (!g_str_has_prefix (what, "loss.") && !g_str_has_prefix (what, "accuracy."))
    return;
  g_object_set_data_full (G_OBJECT (widget), "cvl-export", g_strdup (what), g_free);
  cvl_choose_save_file (widget, _("Export the Plot"), name, export_chosen);
}

void
cvl_train_page_io_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "train.locate", NULL, locate_action);
  gtk_widget_class_install_action (widget_class, "train.save-model", NULL, save_model_action);
  gtk_widget_class_install_action (widget_class, "train.save-checkpoint", NULL,
                                   save_checkpoint_action);
  gtk_widget_class_install_action (widget_class, "train.load", NULL, load_action);
  gtk_widget_class_install_action (widget_class, "train.export", "s", export_action);
}

void
cvl_train_page_io_init (CvlTrainPage *self)
{
  g_signal_connect_swapped (self->dataset_row, "notify::selected",
                            G_CALLBACK (on_dataset_changed), self);
}
