/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `convolve-cli train`: the lecture network on MNIST (or any folder of IDX
 * files) from the command line, with a progress bar on a terminal, one line
 * per epoch, a CSV log, checkpoints and resuming. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cvl-cli.h"
#include "cvl-cli-dataset.h"
#include "cvl-error.h"
#include "cvl-net-train.h"
#include "cvl-train-events.h"
#include "cvl-trainer.h"

/* The folder `path` would be written in must exist: fail before training,
 * not after it. */
static gboolean
check_writable (const char  *path,
                const char  *what,
                GError     **error)
{
  g_autofree char *dir = NULL;

  if (path == NULL)
    return TRUE;
  dir = g_path_get_dirname (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR) || access (dir, W_OK) != 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO,
                   _("Cannot write the %s “%s”: folder “%s” is missing or not writable"),
                   what, path, dir);
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, _("Cannot write the %s “%s”: it is a folder"),
                   what, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_log (const char *path,
           GArray     *history,
           GError    **error)
{
  g_autoptr(GString) csv = g_string_new ("epoch,step,seconds,images_per_second,loss,"
                                         "train_accuracy,test_accuracy\n");
  g_autoptr(GError) local = NULL;

  for (guint i = 0; i < history->len; i++)
    {
      CvlEpochRecord *r = &g_array_index (history, CvlEpochRecord, i);

      g_string_append_printf (csv, "%d,%" G_GINT64_FORMAT ",%.3f,%.1f,%.6f,%.6f,%.6f\n",
                              r->epoch, r->step, r->seconds, r->images_per_second, r->loss,
                              r->train_accuracy, r->test_accuracy);
    }
  if (!g_file_set_contents_full (path, csv->str, csv->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, &local))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, _("Could not write the log: %s"),
                   local->message);
      return FALSE;
    }
  return TRUE;
}

static void
draw_bar (const CvlTrainerProgress *p)
{
  int done = p->steps_per_epoch > 0 ? (int) ((p->step - (gint64) (p->epoch - 1) *
                                              p->steps_per_epoch) * 30 / p->steps_per_epoch)
                                    : 0;
  char bar[31];

  done = CLAMP (done, 0, 30);
  for (int i = 0; i < 30; i++)
    bar[i] = i < done ? '#' : '.';
  bar[30] = '\0';
  fprintf (stderr, "\r\033[Kepoch %d [%s] step %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
           "  loss %.3f  batch %5.1f%%  %5.0f img/s",
           p->epoch, bar, p->step, p->total_steps, p->loss, 100 * p->batch_accuracy,
           p->images_per_second);
  fflush (stderr);
}

/* The drained steps and epochs; conv1's filters as the drain right after
 * an epoch finds them. */
static gboolean
write_events (CvlTfEvents      *events,
              CvlTrainer       *trainer,
              CvlTrainerUpdate *update,
              GError          **error)
{
  g_autoptr(CvlNet) net = NULL;

  if (update->epochs != NULL && update->epochs->len > 0)
    net = cvl_trainer_dup_net (trainer);
  return cvl_train_events_write (events, update->steps, update->epochs,
                                 net != NULL ? cvl_net_get_tensor (net, "conv1.weight") : NULL,
                                 error);
}

gboolean
cvl_cli_train (int      argc,
               char   **argv,
               GError **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CvlDataset) data = NULL;
  g_autoptr(CvlTrainer) trainer = NULL;
  g_autoptr(GArray) history = NULL;
  g_autofree char *dir = NULL, *dataset = NULL, *optimizer = NULL, *out = NULL;
  g_autofree char *checkpoint = NULL, *resume = NULL, *log = NULL, *tensorboard = NULL;
  g_autoptr(CvlTfEvents) events = NULL;
  CvlTrainerConfig config;
  CvlTrainerUpdate update = { 0 };
  gint64 seed = 1;
  double keep, lr, ema;
  gboolean tty = isatty (STDERR_FILENO), bar_shown = FALSE;
  CvlTrainerState state;

  cvl_trainer_config_init (&config);
  config.snapshot_ms = -1;   /* nothing here shows the weights while training */
  keep = config.keep_prob;
  lr = config.lr;
  ema = config.ema;
  {
    GOptionEntry entries[] = {
      { "data", 0, 0, G_OPTION_ARG_FILENAME, &dir,
        N_("Folder with the four IDX files (raw or .gz)"), "DIR" },
      { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset,
        N_("mnist (default) or fashion, found where Convolve keeps them"), "NAME" },
      { "epochs", 0, 0, G_OPTION_ARG_INT, &config.epochs, N_("Epochs to train (5)"), "N" },
      { "batch", 0, 0, G_OPTION_ARG_INT, &config.batch, N_("Batch size (128)"), "N" },
      { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Learning rate (0.001)"), "X" },
      { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, N_("adam (default) or sgd"), "NAME" },
      { "keep-prob", 0, 0, G_OPTION_ARG_DOUBLE, &keep,
        N_("Dropout keep probability of the fc layer (0.75)"), "X" },
      { "ema", 0, 0, G_OPTION_ARG_DOUBLE, &ema,
        N_("Evaluate and save a moving average of the weights with this decay (0.999); "
           "0 keeps the last weights, as the lecture does"), "X" },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
        N_("Seed of initialisation, shuffling and dropout (1)"), "N" },
      { "threads", 0, 0, G_OPTION_ARG_INT, &config.threads,
        N_("Threads (default: all cores); same seed and threads, same weights"), "N" },
      { "limit", 0, 0, G_OPTION_ARG_INT, &config.limit,
        N_("Train on the first N images only"), "N" },
      { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Save the model (safetensors)"), "MODEL" },
      { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &checkpoint,
        N_("Write a checkpoint after every epoch and when stopped"), "FILE" },
      { "resume", 0, 0, G_OPTION_ARG_FILENAME, &resume, N_("Continue from a checkpoint"), "FILE" },
      { "log", 0, 0, G_OPTION_ARG_FILENAME, &log, N_("Per-epoch metrics as CSV"), "FILE" },
      { "tensorboard", 0, 0, G_OPTION_ARG_FILENAME, &tensorboard,
        N_("Write TensorBoard event files into DIR: the loss as training goes, accuracy "
           "and the conv1 filters per epoch"), "DIR" },
      { NULL }
    };

    context = cvl_cli_context_new ("train", NULL,
                                   _("Train the lecture's convnet (conv 5×5×32, pool, conv "
                                     "5×5×64, pool, fc 1024, dropout, logits 10)."));
    g_option_context_add_main_entries (context, entries, NULL);
  }
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("train takes no arguments, got “%s”"), argv[1]);
      return FALSE;
    }
  if (optimizer != NULL && !g_str_equal (optimizer, "adam") && !g_str_equal (optimizer, "sgd"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("--optimizer takes adam or sgd, not “%s”"), optimizer);
      return FALSE;
    }
  if (seed < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--seed must not be negative"));
      return FALSE;
    }
  config.optimizer = optimizer != NULL && g_str_equal (optimizer, "sgd") ? CVL_OPTIMIZER_SGD
                                                                         : CVL_OPTIMIZER_ADAM;
  config.keep_prob = keep;
  config.lr = lr;
  config.ema = ema;
  config.seed = seed;

  if (!check_writable (out, "model", error) ||
      !check_writable (checkpoint, "checkpoint", error) ||
      !check_writable (log, "log", error))
    return FALSE;

  data = cvl_cli_load_dataset (dir, dataset, error);
  if (data == NULL)
    return FALSE;
  trainer = cvl_trainer_new (data->train_images, data->train_labels, data->test_images,
                             data->test_labels, &config, error);
  if (trainer == NULL)
    return FALSE;
  if (resume != NULL && !cvl_trainer_load_checkpoint (trainer, resume, error))
    return FALSE;
  if (checkpoint != NULL)
    cvl_trainer_set_checkpoint_path (trainer, checkpoint);
  /* Last before training, so a bad option or dataset leaves no event file. */
  if (tensorboard != NULL && (events = cvl_tfevents_new (tensorboard, error)) == NULL)
    return FALSE;
  if (!cvl_trainer_start (trainer, error))
    return FALSE;

  do
    {
      cvl_trainer_wait_update (trainer, 200000);
      cvl_trainer_drain (trainer, &update);
      state = update.state;
      for (guint i = 0; update.epochs != NULL && i < update.epochs->len; i++)
        {
          CvlEpochRecord *r = &g_array_index (update.epochs, CvlEpochRecord, i);

          if (bar_shown)
            fprintf (stderr, "\r\033[K");
          if (isnan (r->test_accuracy))
            g_print ("epoch %d  %.1f s  %.0f img/s  loss %.3f\n",
                     r->epoch, r->seconds, r->images_per_second, r->loss);
          else
            g_print ("epoch %d  %.1f s  %.0f img/s  loss %.3f  test %.2f%%\n",
                     r->epoch, r->seconds, r->images_per_second, r->loss,
                     100 * r->test_accuracy);
          fflush (stdout);
        }
      if (events != NULL && !write_events (events, trainer, &update, error))
        {
          cvl_trainer_update_clear (&update);
          return FALSE;
        }
      /* After the epoch lines, so a bar of the next epoch is not cut off. */
      if (tty && update.has_progress)
        {
          draw_bar (&update.progress);
          bar_shown = TRUE;
        }
      if (log != NULL && update.epochs != NULL && update.epochs->len > 0)
        {
          g_autoptr(GArray) so_far = cvl_trainer_dup_history (trainer);

          if (!write_log (log, so_far, error))
            {
              cvl_trainer_update_clear (&update);
              return FALSE;
            }
        }
      cvl_trainer_update_clear (&update);
    }
  while (state == CVL_TRAINER_RUNNING || state == CVL_TRAINER_PAUSED);
  cvl_trainer_wait (trainer);
  if (bar_shown)
    fprintf (stderr, "\r\033[K");

  if (state == CVL_TRAINER_FAILED)
    {
      const GError *why = cvl_trainer_get_error (trainer);

      g_set_error_literal (error, why->domain, why->code, why->message);
      return FALSE;
    }

  history = cvl_trainer_dup_history (trainer);
  if (out != NULL)
    {
      g_autoptr(CvlNet) net = cvl_trainer_dup_net (trainer);
      /* A folder holding MNIST's own files is MNIST, whatever its name. */
      g_autoptr(GHashTable) meta =
        cvl_trainer_model_metadata (trainer, cvl_dataset_verify_mnist (data->dir, NULL)
                                             ? "mnist" : data->name);

      if (!cvl_net_save (net, out, meta, error))
        return FALSE;
    }
  return TRUE;
}
