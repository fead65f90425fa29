/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Train page's controls and its trainer. The trainer runs in a thread of
 * its own; once per frame a tick callback drains what it made (every step's
 * loss, finished epochs, the newest weights) and hands copies to the views,
 * so the main loop never waits for training. */
#include "config.h"

#define G_LOG_DOMAIN "Convolve"

#include <math.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cvl-net-train.h"
#include "cvl-parallel.h"
#include "cvl-train-page-private.h"
#include "cvl-window.h"

#define SNAPSHOT_MS      150    /* filters refresh ≥ 5 times a second */
#define NET_SIGNAL_US    500000 /* the Draw page follows at most twice a second */
#define ESTIMATE_IMAGES  500    /* the held-out slice: the first 500 test images */
#define ESTIMATE_PERIOD  6400   /* training images between two estimates */
#define EMA_DECAY        0.999  /* of the weights' average, with "Average the weights" on */

enum { NET_CHANGED, USE_FILTER, OPEN_DIGIT, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CvlTrainPage, cvl_train_page, GTK_TYPE_WIDGET)

static void forget_fresh_net (CvlTrainPage *self);

void
cvl_train_page_set_net (CvlTrainPage *self,
                        CvlNet       *net,
                        const char   *origin)
{
  forget_fresh_net (self);
  g_clear_pointer (&self->net, cvl_net_ref_release);
  self->net = cvl_net_ref_new (net, origin);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->model_row), origin);
  cvl_train_page_show_net (self);
}

static void
emit_net_changed (CvlTrainPage *self,
                  gboolean      force)
{
  gint64 now = g_get_monotonic_time ();

  if (!force && now - self->last_net_signal < NET_SIGNAL_US)
    return;
  self->last_net_signal = now;
  g_signal_emit (self, signals[NET_CHANGED], 0);
}

/* -- State -------------------------------------------------------------- */

CvlTrainerState
cvl_train_page_get_state (CvlTrainPage *self)
{
  g_return_val_if_fail (CVL_IS_TRAIN_PAGE (self), CVL_TRAINER_IDLE);
  return self->trainer != NULL ? cvl_trainer_get_state (self->trainer) : CVL_TRAINER_IDLE;
}

gint64
cvl_train_page_get_step (CvlTrainPage *self)
{
  g_return_val_if_fail (CVL_IS_TRAIN_PAGE (self), 0);
  return self->trainer != NULL ? cvl_trainer_get_step (self->trainer) : 0;
}

double
cvl_train_page_get_images_per_second (CvlTrainPage *self)
{
  return self->progress.images_per_second;
}

gboolean
cvl_train_page_has_data (CvlTrainPage *self)
{
  return self->dataset != NULL;
}

const CvlNet *
cvl_train_page_get_net (CvlTrainPage *self)
{
  g_return_val_if_fail (CVL_IS_TRAIN_PAGE (self), NULL);
  return self->net != NULL ? cvl_net_ref_get_net (self->net) : NULL;
}

CvlNetRef *
cvl_train_page_get_net_ref (CvlTrainPage *self)
{
  g_return_val_if_fail (CVL_IS_TRAIN_PAGE (self), NULL);
  return self->net;
}

const char *
cvl_train_page_get_net_origin (CvlTrainPage *self)
{
  g_return_val_if_fail (CVL_IS_TRAIN_PAGE (self), NULL);
  return self->net != NULL ? cvl_net_ref_get_name (self->net) : NULL;
}

static gboolean
ended (CvlTrainerState state)
{
  return state == CVL_TRAINER_FINISHED || state == CVL_TRAINER_CANCELLED ||
         state == CVL_TRAINER_FAILED;
}

static char *
format_duration (double seconds)
{
  int s = (int) (seconds + 0.5);

  if (s >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return g_strdup_printf ("%d:%02d", s / 60, s % 60);
}

/* Buttons, labels and sensitivity from the trainer's state. */
void
cvl_train_page_update_state (CvlTrainPage *self)
{
  CvlTrainerState state = cvl_train_page_get_state (self);
  gboolean configurable = !self->preparing && (self->trainer == NULL || ended (state));
  gboolean can_go_on;
  const char *label, *icon, *title;

  switch (state)
    {
    case CVL_TRAINER_RUNNING:
      label = _("_Pause"), icon = "media-playback-pause-symbolic", title = _("Training");
      break;
    case CVL_TRAINER_PAUSED:
      label = _("_Resume"), icon = "media-playback-start-symbolic", title = _("Paused");
      break;
    case CVL_TRAINER_FINISHED:
      label = _("_Continue"), icon = "media-playback-start-symbolic", title = _("Finished");
      break;
    case CVL_TRAINER_CANCELLED:
      label = _("_Continue"), icon = "media-playback-start-symbolic", title = _("Stopped");
      break;
    case CVL_TRAINER_FAILED:
      label = _("_Continue"), icon = "media-playback-start-symbolic", title = _("Failed");
      break;
    case CVL_TRAINER_IDLE:
    default:
      label = _("_Train"), icon = "media-playback-start-symbolic";
      title = self->data_loading ? _("Loading the data…") : _("Ready to train");
      break;
    }
  if (self->preparing)
    title = _("Preparing…");
  else if (self->saving_checkpoint)
    title = _("Saving the checkpoint…");
  adw_button_content_set_label (self->start_content, label);
  adw_button_content_set_icon_name (self->start_content, icon);
  gtk_label_set_text (self->state_label, title);

  /* While a save reads the trainer, nothing may drop or restart it (going on
   * from an ended run makes a new one); while a checkpoint is written, it
   * must not step either. */
  can_go_on = !self->preparing && !self->saving_checkpoint && !(self->saves > 0 && ended (state));
  gtk_widget_set_sensitive (self->settings_group, configurable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dataset_row),
                            configurable && !self->data_loading && self->download == NULL &&
                            self->saves == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.stop",
                                 (state == CVL_TRAINER_RUNNING || state == CVL_TRAINER_PAUSED) &&
                                 !self->saving_checkpoint);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.start", can_go_on);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.step", can_go_on);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.reset", !self->preparing &&
                                 self->saves == 0 &&
                                 (self->trainer != NULL || self->initial != NULL ||
                                  self->initial_checkpoint != NULL));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.load", configurable &&
                                 self->saves == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.save-checkpoint",
                                 self->trainer != NULL && state != CVL_TRAINER_RUNNING &&
                                 !self->saving_checkpoint);
}

static void
show_progress (CvlTrainPage *self)
{
  const CvlTrainerProgress *p = &self->progress;
  g_autofree char *text = NULL, *speed = NULL;

  if (p->total_steps <= 0)
    {
      gtk_label_set_text (self->progress_label, "");
      gtk_label_set_text (self->speed_label, "");
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      return;
    }
  text = g_strdup_printf (_("Epoch %d of %d · step %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                            " · loss %.3f"),
                          MIN (p->epoch, (int) (p->total_steps / p->steps_per_epoch)),
                          (int) (p->total_steps / p->steps_per_epoch), p->step, p->total_steps,
                          p->loss);
  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, (double) p->step / p->total_steps);
  if (p->images_per_second > 0 && cvl_train_page_get_state (self) == CVL_TRAINER_RUNNING)
    {
      const CvlTrainerConfig *c = cvl_trainer_get_config (self->trainer);
      g_autofree char *left = format_duration ((double) (p->total_steps - p->step) * c->batch /
                                               p->images_per_second);

      speed = g_strdup_printf (_("%.0f images/s · %s left"), p->images_per_second, left);
    }
  else if (p->images_per_second > 0)
    speed = g_strdup_printf (_("%.0f images/s"), p->images_per_second);
  gtk_label_set_text (self->speed_label, speed != NULL ? speed : "");
}

/* -- Draining the trainer, once per frame ------------------------------- */

static void
trainer_failed (CvlTrainPage *self)
{
  const GError *error = cvl_trainer_get_error (self->trainer);

  cvl_toast (GTK_WIDGET (self), "%s", error != NULL ? error->message : _("Training failed"));
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);
  CvlTrainerUpdate update = { 0 };
  gboolean fresh;

  if (self->trainer == NULL)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  cvl_trainer_drain (self->trainer, &update);
  fresh = update.snapshot != NULL;
  if (update.has_progress)
    {
      self->progress = update.progress;
      show_progress (self);
    }
  if (update.steps != NULL && update.steps->len > 0)
    cvl_train_page_add_steps (self, update.steps);
  if (update.epochs != NULL && update.epochs->len > 0)
    {
      const CvlEpochRecord *last = &g_array_index (update.epochs, CvlEpochRecord,
                                                   update.epochs->len - 1);
      g_autofree char *subtitle = NULL;

      cvl_train_page_add_epochs (self, update.epochs, self->progress.steps_per_epoch);
      subtitle = isnan (last->test_accuracy)
        ? g_strdup_printf (_("Epoch %d: loss %.3f"), last->epoch, last->loss)
        : g_strdup_printf (_("Test accuracy %.2f%% after epoch %d"), 100.0 * last->test_accuracy,
                           last->epoch);
      adw_action_row_set_subtitle (self->model_row, subtitle);
    }
  if (update.evaluation != NULL)
    {
      g_clear_pointer (&self->evaluation, cvl_evaluation_free);
      self->evaluation = g_steal_pointer (&update.evaluation);
      self->filter_true = self->filter_predicted = -1;
      cvl_train_page_show_evaluation (self);
    }
  if (update.snapshot != NULL)
    {
      g_autofree char *origin = NULL;
      const CvlTrainerConfig *c = cvl_trainer_get_config (self->trainer);

      origin = g_strdup_printf (_("Trained here: epoch %d of %d, step %" G_GINT64_FORMAT),
                                MAX (self->progress.epoch, 1), c->epochs, self->progress.step);
      cvl_train_page_set_net (self, g_steal_pointer (&update.snapshot), origin);
      emit_net_changed (self, ended (update.state));
    }
  cvl_train_page_tensorboard_drain (self, &update, fresh, ended (update.state));

  if (ended (update.state))
    {
      g_autofree char *origin = NULL;

      if (update.state == CVL_TRAINER_FAILED)
        trainer_failed (self);
      origin = g_strdup_printf (_("Trained here: %" G_GINT64_FORMAT " steps (%s)"),
                                cvl_trainer_get_step (self->trainer),
                                update.state == CVL_TRAINER_FINISHED ? _("finished")
                                : update.state == CVL_TRAINER_FAILED ? _("failed")
                                : _("stopped"));
      /* The trainer's last snapshot holds the final weights: rename it. */
      if (self->net != NULL)
        {
          cvl_net_ref_set_name (self->net, origin);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->model_row), origin);
        }
      emit_net_changed (self, TRUE);
      cvl_trainer_update_clear (&update);
      show_progress (self);
      cvl_train_page_update_state (self);
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  cvl_trainer_update_clear (&update);
  cvl_train_page_update_state (self);
  return G_SOURCE_CONTINUE;
}

static void
watch_trainer (CvlTrainPage *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  cvl_train_page_update_state (self);
}

/* -- Starting ----------------------------------------------------------- */

static void
read_config (CvlTrainPage     *self,
             CvlTrainerConfig *c)
{
  cvl_trainer_config_init (c);
  c->epochs = gtk_spin_button_get_value_as_int (self->epochs_spin);
  c->batch = gtk_spin_button_get_value_as_int (self->batch_spin);
  c->lr = gtk_spin_button_get_value (self->lr_spin);
  c->optimizer = adw_combo_row_get_selected (self->optimizer_row) == 1
                 ? CVL_OPTIMIZER_SGD : CVL_OPTIMIZER_ADAM;
  c->keep_prob = gtk_spin_button_get_value (self->keep_spin);
  c->ema = gtk_switch_get_active (self->ema_switch) ? EMA_DECAY : 0;
  c->seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  c->limit = gtk_spin_button_get_value_as_int (self->limit_spin);
  if (self->settings != NULL)
    c->threads = g_settings_get_int (self->settings, "threads");
  c->snapshot_ms = SNAPSHOT_MS;
  c->background = TRUE;   /* the window comes first */
  c->estimate_images = ESTIMATE_IMAGES;
  c->estimate_every = MAX (1, ESTIMATE_PERIOD / c->batch);
}

static void
stop_tick (CvlTrainPage *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
}

static gpointer
free_trainer_thread (gpointer data)
{
  cvl_trainer_free (data);
  return NULL;
}

/* Joining waits for the step in flight; do it off the main thread. */
static void
drop_trainer (CvlTrainPage *self)
{
  if (self->trainer == NULL)
    return;
  stop_tick (self);
  cvl_trainer_cancel (self->trainer);
  g_thread_unref (g_thread_new ("cvl-trainer-free", free_trainer_thread,
                                g_steal_pointer (&self->trainer)));
}

/* Making a trainer copies the dataset (55 MB of fresh pages) and may write
 * and read a checkpoint: a worker does it, the page then starts it. */
typedef struct
{
  const CvlDataset *dataset;     /* the page's; kept while `preparing` */
  CvlTrainerConfig  config;
  CvlTrainer       *previous;    /* an ended run to continue (owned), or NULL */
  char             *checkpoint;  /* a checkpoint file to continue, or NULL */
  CvlNetRef        *initial;     /* weights to start from, or NULL */
  CvlTrainer       *trainer;     /* the result */
  gboolean          one_step, from_file;
  guint             serial;
} PrepareJob;

static void
prepare_job_free (PrepareJob *job)
{
  g_clear_pointer (&job->previous, cvl_trainer_free);
  g_clear_pointer (&job->trainer, cvl_trainer_free);
  g_clear_pointer (&job->initial, cvl_net_ref_release);
  g_free (job->checkpoint);
  g_free (job);
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PrepareJob *job = task_data;
  const CvlDataset *d = job->dataset;
  g_autofree char *dir = NULL, *path = NULL;
  GError *error = NULL;

  if (job->previous != NULL)
    {
      /* Continuing the run that ended: through a checkpoint, so the
       * optimiser state and the step carry over exactly. */
      dir = g_dir_make_tmp ("convolve-continue-XXXXXX", &error);
      path = dir != NULL ? g_build_filename (dir, "run.safetensors", NULL) : NULL;
      if (path == NULL || !cvl_trainer_save_checkpoint (job->previous, path, &error))
        goto out;
      g_free (job->checkpoint);
      job->checkpoint = g_strdup (path);
    }
  job->trainer = cvl_trainer_new (d->train_images, d->train_labels, d->test_images,
                                  d->test_labels, &job->config, &error);
  if (job->trainer != NULL && job->checkpoint != NULL)
    {
      if (!cvl_trainer_load_checkpoint (job->trainer, job->checkpoint, &error))
        g_clear_pointer (&job->trainer, cvl_trainer_free);
    }
  else if (job->trainer != NULL && job->initial != NULL)
    cvl_trainer_set_weights (job->trainer, cvl_net_ref_get_net (job->initial));
out:
  if (path != NULL)
    g_unlink (path);
  if (dir != NULL)
    g_rmdir (dir);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
unref_task (gpointer task)
{
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* The worker runs at the trainer's background priority, on a thread of its
 * own (a pool thread, once lowered, could not come back): copying the data
 * and making the network then leave the cores to the window and the display
 * server, whose first frames after Train it used to delay. The task is let
 * go on the main thread, where the page it refers to may be finalised. */
static gpointer
prepare_main (gpointer data)
{
  GTask *task = data;

  cvl_parallel_enter_background ();
  prepare_thread (task, g_task_get_source_object (task), g_task_get_task_data (task), NULL);
  g_idle_add (unref_task, task);
  return NULL;
}

static void
prepared (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  PrepareJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;

  if (job->serial != self->prepare_serial || self->disposed)
    return;   /* the page was reset or closed meanwhile */
  self->preparing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      /* Nothing is lost: an ended run stays on the page. */
      self->trainer = g_steal_pointer (&job->previous);
      cvl_toast (GTK_WIDGET (self), "%s", error->message);
      cvl_train_page_update_state (self);
      return;
    }
  g_clear_pointer (&job->previous, cvl_trainer_free);
  self->trainer = g_steal_pointer (&job->trainer);

  /* A checkpoint loaded from a file brings its epochs: show them first. */
  if (job->from_file && cvl_trainer_get_step (self->trainer) > 0)
    {
      g_autoptr(GArray) history = cvl_trainer_dup_history (self->trainer);

      cvl_train_page_add_epochs (self, history, 0);
    }
  if (job->one_step)
    cvl_trainer_pause (self->trainer);
  if (!cvl_trainer_start (self->trainer, &error))
    {
      cvl_toast (GTK_WIDGET (self), "%s", error->message);
      cvl_train_page_update_state (self);
      return;
    }
  if (job->one_step)
    cvl_trainer_step_once (self->trainer);
  subtitle = g_strdup_printf (_("Training on %s"), self->dataset->dir);
  adw_action_row_set_subtitle (self->model_row, subtitle);
  watch_trainer (self);
}

static void
start_training (CvlTrainPage *self,
                gboolean      one_step)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CvlTrainerState state = cvl_train_page_get_state (self);
  PrepareJob *job;

  if (self->preparing || (self->saves > 0 && self->trainer != NULL))
    return;   /* continuing drops the trainer a save reads */
  if (self->dataset == NULL)
    {
      self->start_when_loaded = TRUE;
      cvl_train_page_load_data (self);
      return;
    }
  if (self->trainer != NULL && !ended (state))
    return;
  /* Opened while the page is still configurable, so a folder that cannot
   * be written leaves the switch and the settings free to change. */
  if (!cvl_train_page_tensorboard_open (self, &error))
    {
      cvl_toast (GTK_WIDGET (self), "%s", error->message);
      return;
    }

  job = g_new0 (PrepareJob, 1);
  job->dataset = self->dataset;
  job->one_step = one_step;
  job->serial = ++self->prepare_serial;
  read_config (self, &job->config);
  if (self->trainer != NULL)
    {
      int spe = MAX (self->progress.steps_per_epoch, 1);

      if (cvl_trainer_get_step (self->trainer) >= (gint64) job->config.epochs * spe)
        {
          cvl_toast (GTK_WIDGET (self), _("Training has done %d epochs; raise Epochs to continue"),
                     (int) (cvl_trainer_get_step (self->trainer) / spe));
          prepare_job_free (job);
          return;
        }
      stop_tick (self);
      job->previous = g_steal_pointer (&self->trainer);
    }
  else if (self->initial_checkpoint != NULL)
    {
      job->checkpoint = g_strdup (self->initial_checkpoint);
      job->from_file = TRUE;
    }
  else if (self->initial != NULL)
    job->initial = cvl_net_ref_acquire (self->initial);

  self->preparing = TRUE;
  task = g_task_new (self, NULL, prepared, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) prepare_job_free);
  g_thread_unref (g_thread_new ("cvl-prepare", prepare_main, g_object_ref (task)));
  cvl_train_page_update_state (self);
}

void
cvl_train_page_data_ready (CvlTrainPage *self)
{
  if (self->start_when_loaded && self->dataset != NULL)
    {
      self->start_when_loaded = FALSE;
      start_training (self, FALSE);
    }
}

/* -- Actions ------------------------------------------------------------ */

static void
start_action (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);

  if (!gtk_widget_get_mapped (widget) || self->saving_checkpoint)
    return;   /* the shortcut, pressed on another page; or a save holds the run */
  switch (cvl_train_page_get_state (self))
    {
    case CVL_TRAINER_RUNNING:
      cvl_trainer_pause (self->trainer);
      break;
    case CVL_TRAINER_PAUSED:
      cvl_trainer_resume (self->trainer);
      break;
    default:
      start_training (self, FALSE);
      return;
    }
  watch_trainer (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);

  if (self->trainer != NULL && !self->saving_checkpoint)
    {
      cvl_trainer_cancel (self->trainer);
      watch_trainer (self);
    }
}

static void
step_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);

  if (self->saving_checkpoint)
    return;
  if (cvl_train_page_get_state (self) == CVL_TRAINER_RUNNING)
    {
      cvl_trainer_pause (self->trainer);
      watch_trainer (self);
    }
  else if (cvl_train_page_get_state (self) == CVL_TRAINER_PAUSED)
    {
      cvl_trainer_step_once (self->trainer);
      watch_trainer (self);
    }
  else
    start_training (self, TRUE);
}

/* A fresh network for the seed: 3.3 M random weights, tens of ms, made on
 * a worker. Only the newest request is applied (each new one, and anything
 * that replaces the network, cancels the last: a cancelled task's result is
 * never propagated), and only while the page still shows the network
 * training would start from (no run, nothing loaded); until then the
 * previous weights stay on screen. */
static void
fresh_net_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  const guint64 *seed = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;   /* a newer seed came before this one's turn */
  g_task_return_pointer (task, cvl_net_new (*seed), (GDestroyNotify) cvl_net_free);
}

static void
fresh_net_made (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  CvlNet *net = g_task_propagate_pointer (G_TASK (res), NULL);

  if (net == NULL)
    return;   /* cancelled: a newer request, a network set, the page gone */
  if (self->trainer != NULL || self->preparing || self->initial != NULL ||
      self->initial_checkpoint != NULL)
    {
      cvl_net_free (net);
      return;
    }
  cvl_train_page_set_net (self, net, _("New network"));
  adw_action_row_set_subtitle (self->model_row, _("Randomly initialised, not trained yet"));
}

/* Whatever fresh network is being made will not be shown. */
static void
forget_fresh_net (CvlTrainPage *self)
{
  g_cancellable_cancel (self->net_cancellable);
  g_clear_object (&self->net_cancellable);
}

static void
request_fresh_net (CvlTrainPage *self)
{
  g_autoptr(GTask) task = NULL;
  guint64 *seed = g_new (guint64, 1);

  forget_fresh_net (self);
  self->net_cancellable = g_cancellable_new ();
  *seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  task = g_task_new (self, self->net_cancellable, fresh_net_made, NULL);
  g_task_set_task_data (task, seed, g_free);
  g_task_run_in_thread (task, fresh_net_thread);
}

void
cvl_train_page_clear_run (CvlTrainPage *self)
{
  forget_fresh_net (self);
  drop_trainer (self);
  cvl_train_page_tensorboard_close (self);
  g_clear_pointer (&self->initial, cvl_net_ref_release);
  g_clear_pointer (&self->initial_checkpoint, g_free);
  g_clear_pointer (&self->evaluation, cvl_evaluation_free);
  self->progress = (CvlTrainerProgress) { 0 };
  cvl_train_page_clear_views (self);
  show_progress (self);
  cvl_train_page_update_state (self);
}

void
cvl_train_page_reset (CvlTrainPage *self)
{
  cvl_train_page_clear_run (self);
  adw_action_row_set_subtitle (self->model_row, _("Making a new network…"));
  request_fresh_net (self);
}

static void
reset_action (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);

  if (self->saves == 0)
    cvl_train_page_reset (self);
}

/* The selected conv1 filter goes to the Kernels page. */
static void
use_filter_action (GtkWidget  *widget,
                   const char *action,
                   GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);
  const float *w;

  if (self->net == NULL)
    return;
  w = cvl_net_get_tensor (cvl_net_ref_get_net (self->net), "conv1.weight"); /* [32,1,5,5] */
  g_signal_emit (self, signals[USE_FILTER], 0, w + self->selected_filter * 25, 5,
                 self->selected_filter);
}

static void
gallery_all_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (widget);

  self->filter_true = self->filter_predicted = -1;
  cvl_train_page_show_evaluation (self);
}

static void
on_seed_changed (CvlTrainPage *self)
{
  /* Before training, the page shows the network the seed will start from. */
  if (self->trainer == NULL && self->initial == NULL && self->initial_checkpoint == NULL)
    cvl_train_page_reset (self);
}

GtkWidget *
cvl_train_page_get_part (CvlTrainPage *self,
                         const char   *name)
{
  struct { const char *name; gpointer widget; } parts[] = {
    { "loss-plot", self->loss_plot }, { "accuracy-plot", self->accuracy_plot },
    { "conv1-grid", self->conv1_grid }, { "conv2-grid", self->conv2_grid },
    { "conv1-maps", self->conv1_maps }, { "confusion", self->confusion },
    { "gallery", self->gallery }, { "epochs", self->epochs_spin },
    { "batch", self->batch_spin }, { "optimizer", self->optimizer_row }, { "lr", self->lr_spin }, { "limit", self->limit_spin },
    { "smoothing", self->smoothing_scale }, { "log-scale", self->log_button },
    { "x-axis", self->x_axis_dropdown }, { "model-row", self->model_row },
    { "network-grid", self->network_grid }, { "data-status", self->data_status_row },
    { "tensorboard", self->tensorboard_switch }, { "seed", self->seed_spin },
    { "state-label", self->state_label }, { "average", self->ema_switch },
  };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (g_str_equal (parts[i].name, name))
      return parts[i].widget;
  return NULL;
}

/* -- GObject ------------------------------------------------------------- */

static void
cvl_train_page_dispose (GObject *object)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  GtkWidget *child;

  /* Closing the window stops training: the thread is joined here, and a
   * trainer still being prepared is dropped when it arrives. */
  self->prepare_serial++;
  self->disposed = TRUE;
  forget_fresh_net (self);
  stop_tick (self);
  /* A checkpoint being written holds the trainer: this waits for the file
   * to be complete rather than leave it half done at exit. */
  g_clear_pointer (&self->trainer, cvl_trainer_free);
  cvl_train_page_tensorboard_close (self);
  g_cancellable_cancel (self->data_cancellable);
  cvl_train_page_download_stop (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CVL_TYPE_TRAIN_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (cvl_train_page_parent_class)->dispose (object);
}

static void
cvl_train_page_finalize (GObject *object)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);

  g_clear_object (&self->data_cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->dataset, cvl_dataset_free);
  g_clear_pointer (&self->initial, cvl_net_ref_release);
  g_clear_pointer (&self->net, cvl_net_ref_release);
  g_clear_pointer (&self->evaluation, cvl_evaluation_free);
  g_free (self->initial_checkpoint);
  g_free (self->folder);
  g_free (self->tensorboard_root);
  g_clear_pointer (&self->tensorboard_epochs, g_array_unref);
  G_OBJECT_CLASS (cvl_train_page_parent_class)->finalize (object);
}

static void
cvl_train_page_class_init (CvlTrainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cvl_train_page_dispose;
  object_class->finalize = cvl_train_page_finalize;

  /* The weights on the page changed (see cvl_train_page_get_net). */
  signals[NET_CHANGED] = g_signal_new ("net-changed", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 0);
  /* A learned filter to try on a photo: weights (float[size × size]), size, index. */
  signals[USE_FILTER] = g_signal_new ("use-filter", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 3, G_TYPE_POINTER, G_TYPE_INT, G_TYPE_INT);
  /* A test digit to open on the Draw page: pixels (guint8[28 × 28]), a name. */
  signals[OPEN_DIGIT] = g_signal_new ("open-digit", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/convolve/Convolve/ui/cvl-train-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CvlTrainPage, name)
  BIND (dataset_row); BIND (optimizer_row); BIND (data_status_row); BIND (model_row);
  BIND (download_row); BIND (download_bar); BIND (download_button);
  BIND (tensorboard_row); BIND (tensorboard_switch); BIND (ema_switch);
  BIND (locate_button); BIND (settings_group); BIND (network_grid); BIND (main_scroll);
  BIND (start_button); BIND (start_content);
  BIND (epochs_spin); BIND (batch_spin); BIND (lr_spin); BIND (keep_spin); BIND (seed_spin);
  BIND (limit_spin); BIND (channel_spin); BIND (digit_spin);
  BIND (state_label); BIND (progress_label); BIND (speed_label); BIND (digit_label);
  BIND (filter_label); BIND (confusion_title); BIND (gallery_title); BIND (gallery_label);
  BIND (progress_bar); BIND (smoothing_scale); BIND (log_button); BIND (x_axis_dropdown);
  BIND (loss_plot); BIND (accuracy_plot); BIND (conv1_grid); BIND (conv2_grid);
  BIND (conv1_maps); BIND (pool1_maps); BIND (conv2_maps); BIND (pool2_maps);
  BIND (digit_view); BIND (confusion); BIND (gallery); BIND (gallery_all_button);
#undef BIND

  gtk_widget_class_install_action (widget_class, "train.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "train.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "train.step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "train.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "train.use-filter", NULL, use_filter_action);
  gtk_widget_class_install_action (widget_class, "train.gallery-all", NULL, gallery_all_action);
  cvl_train_page_io_class_init (widget_class);
  cvl_train_page_download_class_init (widget_class);
  cvl_train_page_tensorboard_class_init (widget_class);
  g_type_ensure (CVL_TYPE_PLOT);
  g_type_ensure (CVL_TYPE_FILTER_GRID);
  g_type_ensure (CVL_TYPE_CONFUSION);
  g_type_ensure (CVL_TYPE_MATRIX_VIEW);
}

static void
cvl_train_page_init (CvlTrainPage *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->data_cancellable = g_cancellable_new ();
  self->filter_true = self->filter_predicted = -1;
  cvl_train_page_views_init (self);
  cvl_train_page_io_init (self);
  cvl_train_page_tensorboard_init (self);
  g_signal_connect_swapped (self->seed_spin, "value-changed", G_CALLBACK (on_seed_changed), self);
  /* Ctrl+Return wherever the focus is, while the page is on screen. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                     GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return"),
                                                          gtk_named_action_new ("train.start")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  g_signal_connect_swapped (self, "map", G_CALLBACK (cvl_train_page_load_data), self);
  cvl_train_page_reset (self);
  cvl_train_page_find_data (self);
}
