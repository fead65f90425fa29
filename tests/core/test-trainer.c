/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trainer on a tiny synthetic data set: it learns, it pauses, resumes
 * and cancels, it stops on a NaN loss keeping finite weights, and a run
 * resumed from a checkpoint ends with the very same weights. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cvl-error.h"
#include "cvl-net-train.h"
#include "cvl-trainer.h"

typedef struct
{
  CvlIdxImages images;
  CvlIdxLabels labels;
} Set;

/* Class c: a bar at column 3 + 2c (rows 4–23), noise around it. */
static void
set_init (Set     *set,
          int      n,
          guint64  seed)
{
  CvlRng rng;

  cvl_rng_init (&rng, seed);
  set->images.count = set->labels.count = n;
  set->images.rows = set->images.cols = 28;
  set->images.pixels = g_new (guint8, (gsize) n * 784);
  set->labels.labels = g_new (guint8, n);
  for (int i = 0; i < n; i++)
    {
      guint8 *img = set->images.pixels + (gsize) i * 784;
      int c = cvl_rng_below (&rng, 10);

      set->labels.labels[i] = c;
      for (int p = 0; p < 784; p++)
        img[p] = cvl_rng_below (&rng, 40);
      for (int y = 4; y < 24; y++)
        img[y * 28 + 3 + 2 * c] = 255;
    }
}

static void
set_clear (Set *set)
{
  g_free (set->images.pixels);
  g_free (set->labels.labels);
}

static void
wait_state (CvlTrainer      *trainer,
            CvlTrainerState  state)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (cvl_trainer_get_state (trainer) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      cvl_trainer_wait_update (trainer, 10000);
    }
}

static void
test_learns (void)
{
  Set train, test;
  CvlTrainerConfig config;
  g_autoptr(CvlTrainer) trainer = NULL;
  g_autoptr(GArray) history = NULL;
  CvlTrainerUpdate update = { 0 };
  GError *error = NULL;
  int epochs_seen = 0;

  set_init (&train, 160, 1);
  set_init (&test, 40, 2);
  cvl_trainer_config_init (&config);
  config.epochs = 3;
  config.batch = 32;
  config.threads = 2;
  config.snapshot_ms = 1;

  trainer = cvl_trainer_new (&train.images, &train.labels, &test.images, &test.labels,
                             &config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cvl_trainer_get_state (trainer), ==, CVL_TRAINER_IDLE);
  g_assert_true (cvl_trainer_start (trainer, &error));
  cvl_trainer_wait (trainer);
  g_assert_cmpint (cvl_trainer_get_state (trainer), ==, CVL_TRAINER_FINISHED);
  g_assert_cmpint (cvl_trainer_get_step (trainer), ==, 15);

  cvl_trainer_drain (trainer, &update);
  g_assert_cmpint (update.state, ==, CVL_TRAINER_FINISHED);
  g_assert_true (update.has_progress);
  g_assert_cmpint (update.progress.step, ==, 15);
  g_assert_cmpint (update.progress.total_steps, ==, 15);
  g_assert_nonnull (update.snapshot);
  epochs_seen = update.epochs->len;
  g_assert_cmpint (epochs_seen, ==, 3);
  cvl_trainer_update_clear (&update);
  /* Drained: nothing new the second time. */
  cvl_trainer_drain (trainer, &update);
  g_assert_false (update.has_progress);
  g_assert_null (update.snapshot);
  g_assert_cmpint (update.epochs->len, ==, 0);
  cvl_trainer_update_clear (&update);

  history = cvl_trainer_dup_history (trainer);
  g_assert_cmpint (history->len, ==, 3);
  {
    CvlEpochRecord *first = &g_array_index (history, CvlEpochRecord, 0);
    CvlEpochRecord *last = &g_array_index (history, CvlEpochRecord, 2);

    g_test_message ("loss %.3f → %.3f, test %.3f", first->loss, last->loss,
                    last->test_accuracy);
    g_assert_cmpfloat (last->loss, <, first->loss);
    g_assert_cmpfloat (last->test_accuracy, >=, 0.9);
    g_assert_cmpint (last->epoch, ==, 3);
    g_assert_cmpfloat (last->images_per_second, >, 0);
  }

  set_clear (&train);
  set_clear (&test);
}

static void
test_pause_resume_cancel (void)
{
  Set train;
  CvlTrainerConfig config;
  g_autoptr(CvlTrainer) trainer = NULL;
  GError *error = NULL;
  gint64 step;

  set_init (&train, 64, 3);
  cvl_trainer_config_init (&config);
  config.epochs = 1000;
  config.batch = 8;
  config.threads = 2;
  trainer = cvl_trainer_new (&train.images, &train.labels, NULL, NULL, &config, &error);
  g_assert_no_error (error);
  g_assert_true (cvl_trainer_start (trainer, &error));

  while (cvl_trainer_get_step (trainer) < 2)
    cvl_trainer_wait_update (trainer, 10000);
  cvl_trainer_pause (trainer);
  wait_state (trainer, CVL_TRAINER_PAUSED);
  step = cvl_trainer_get_step (trainer);
  g_usleep (100000);
  g_assert_cmpint (cvl_trainer_get_step (trainer), ==, step);

  /* A checkpoint can be taken while paused, not while running. */
  {
    g_autofree char *dir = g_dir_make_tmp ("cvl-trainer-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "paused.ckpt", NULL);

    g_assert_true (cvl_trainer_save_checkpoint (trainer, path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    g_unlink (path);
    g_rmdir (dir);
  }

  cvl_trainer_resume (trainer);
  while (cvl_trainer_get_step (trainer) < step + 2)
    cvl_trainer_wait_update (trainer, 10000);
  g_assert_cmpint (cvl_trainer_get_state (trainer), ==, CVL_TRAINER_RUNNING);

  cvl_trainer_cancel (trainer);
  cvl_trainer_wait (trainer);
  g_assert_cmpint (cvl_trainer_get_state (trainer), ==, CVL_TRAINER_CANCELLED);
  g_assert_null (cvl_trainer_get_error (trainer));

  /* Cancelling while paused works too. */
  {
    g_autoptr(CvlTrainer) other = cvl_trainer_new (&train.images, &train.labels, NULL, NULL,
                                                   &config, &error);

    g_assert_true (cvl_trainer_start (other, &error));
    cvl_trainer_pause (other);
    wait_state (other, CVL_TRAINER_PAUSED);
    cvl_trainer_cancel (other);
    cvl_trainer_wait (other);
    g_assert_cmpint (cvl_trainer_get_state (other), ==, CVL_TRAINER_CANCELLED);
  }

  set_clear (&train);
}

/* Every step reaches the drain as a record, held-out estimates come when
 * asked, and each epoch's evaluation has a confusion matrix that sums to the
 * test set with the mistakes listed. */
static void
test_records (void)
{
  Set train, test;
  CvlTrainerConfig config;
  g_autoptr(CvlTrainer) trainer = NULL;
  CvlTrainerUpdate update = { 0 };
  GError *error = NULL;
  guint32 total = 0, diagonal = 0;
  int estimates = 0;

  set_init (&train, 96, 4);
  set_init (&test, 30, 5);
  cvl_trainer_config_init (&config);
  config.epochs = 2;
  config.batch = 16;
  config.threads = 2;
  config.estimate_every = 2;
  config.estimate_images = 10;
  trainer = cvl_trainer_new (&train.images, &train.labels, &test.images, &test.labels,
                             &config, &error);
  g_assert_no_error (error);
  g_assert_true (cvl_trainer_start (trainer, &error));
  cvl_trainer_wait (trainer);
  cvl_trainer_drain (trainer, &update);

  g_assert_cmpint (update.steps->len, ==, 12);
  for (guint i = 0; i < update.steps->len; i++)
    {
      CvlStepRecord *r = &g_array_index (update.steps, CvlStepRecord, i);

      g_assert_cmpint (r->step, ==, i + 1);
      g_assert_cmpfloat_with_epsilon (r->epoch, (i + 1) / 6.0, 1e-9);
      g_assert_true (isfinite (r->loss));
      g_assert_cmpfloat (r->seconds, >, 0);
      if (i > 0)
        g_assert_cmpfloat (r->seconds, >=, g_array_index (update.steps, CvlStepRecord,
                                                          i - 1).seconds);
      /* Every second step, except at an epoch's end where the test set is used. */
      if (r->step % 2 == 0 && r->step % 6 != 0)
        {
          g_assert_true (r->estimate >= 0 && r->estimate <= 1);
          g_assert_cmpfloat (fmod (r->estimate * 10, 1), <, 1e-4);   /* k of 10 images */
          estimates++;
        }
      else
        g_assert_true (isnan (r->estimate));
    }
  g_assert_cmpint (estimates, ==, 4);

  g_assert_nonnull (update.evaluation);
  g_assert_cmpint (update.evaluation->epoch, ==, 2);
  for (int t = 0; t < 10; t++)
    for (int p = 0; p < 10; p++)
      {
        total += update.evaluation->confusion[t * 10 + p];
        if (t == p)
          diagonal += update.evaluation->confusion[t * 10 + p];
      }
  g_assert_cmpint (total, ==, 30);
  g_assert_cmpfloat_with_epsilon (update.evaluation->accuracy, diagonal / 30.0, 1e-9);
  g_assert_cmpint (update.evaluation->mistakes->len, ==, 30 - diagonal);
  for (guint i = 0; i < update.evaluation->mistakes->len; i++)
    {
      CvlMistake *m = &g_array_index (update.evaluation->mistakes, CvlMistake, i);

      g_assert_cmpint (m->index, <, 30);
      g_assert_cmpint (m->label, ==, test.labels.labels[m->index]);
      g_assert_cmpint (m->predicted, !=, m->label);
      g_assert_cmpfloat (m->confidence, >=, 0.1f);
      if (i > 0)
        g_assert_cmpfloat (m->confidence, <=,
                           g_array_index (update.evaluation->mistakes, CvlMistake,
                                          i - 1).confidence);
    }
  cvl_trainer_update_clear (&update);

  set_clear (&train);
  set_clear (&test);
}

/* Paused before the start, Step makes exactly one step at a time. */
static void
test_step_once (void)
{
  Set train;
  CvlTrainerConfig config;
  g_autoptr(CvlTrainer) trainer = NULL;
  GError *error = NULL;

  set_init (&train, 64, 6);
  cvl_trainer_config_init (&config);
  config.batch = 8;
  config.threads = 2;
  trainer = cvl_trainer_new (&train.images, &train.labels, NULL, NULL, &config, &error);
  g_assert_no_error (error);
  cvl_trainer_pause (trainer);
  g_assert_true (cvl_trainer_start (trainer, &error));
  wait_state (trainer, CVL_TRAINER_PAUSED);
  g_assert_cmpint (cvl_trainer_get_step (trainer), ==, 0);

  for (int k = 1; k <= 3; k++)
    {
      cvl_trainer_step_once (trainer);
      while (cvl_trainer_get_step (trainer) < k)
        cvl_trainer_wait_update (trainer, 10000);
      wait_state (trainer, CVL_TRAINER_PAUSED);
      g_usleep (50000);
      g_assert_cmpint (cvl_trainer_get_step (trainer), ==, k);
    }
  cvl_trainer_resume (trainer);
  while (cvl_trainer_get_step (trainer) < 6)
    cvl_trainer_wait_update (trainer, 10000);
  cvl_trainer_cancel (trainer);
  cvl_trainer_wait (trainer);
  set_clear (&train);
}

/* Training can start from a model's weights. */
static void
test_set_weights (void)
{
  Set train;
  CvlTrainerConfig config;
  g_autoptr(CvlTrainer) trainer = NULL;
  g_autoptr(CvlNet) source = cvl_net_new (77);
  g_autoptr(CvlNet) copy = NULL;
  GError *error = NULL;

  set_init (&train, 32, 7);
  cvl_trainer_config_init (&config);
  trainer = cvl_trainer_new (&train.images, &train.labels, NULL, NULL, &config, &error);
  g_assert_no_error (error);
  cvl_trainer_set_weights (trainer, source);
  copy = cvl_trainer_dup_net (trainer);
  g_assert_cmpmem (cvl_net_peek_params (copy), cvl_net_n_params () * sizeof (float),
                   cvl_net_peek_params (source), cvl_net_n_params () * sizeof (float));
  set_clear (&train);
}

static void
test_nan_stops (void)
{
  Set train;
  CvlTrainerConfig config;
  g_autoptr(CvlTrainer) trainer = NULL;
  g_autoptr(CvlNet) net = NULL;
  GError *error = NULL;
  const GError *why;
  const float *params;

  set_init (&train, 64, 4);
  cvl_trainer_config_init (&config);
  config.epochs = 50;
  config.batch = 16;
  config.threads = 2;
  config.optimizer = CVL_OPTIMIZER_SGD;
  config.lr = 1e5;
  trainer = cvl_trainer_new (&train.images, &train.labels, NULL, NULL, &config, &error);
  g_assert_no_error (error);
  g_assert_true (cvl_trainer_start (trainer, &error));
  cvl_trainer_wait (trainer);

  g_assert_cmpint (cvl_trainer_get_state (trainer), ==, CVL_TRAINER_FAILED);
  why = cvl_trainer_get_error (trainer);
  g_assert_nonnull (why);
  g_test_message ("%s", why->message);
  g_assert_nonnull (strstr (why->message, "at step"));
  g_assert_true (strstr (why->message, "NaN") != NULL ||
                 strstr (why->message, "infinite") != NULL);

  net = cvl_trainer_dup_net (trainer);
  params = cvl_net_peek_params (net);
  for (gsize i = 0; i < cvl_net_n_params (); i++)
    g_assert_true (isfinite (params[i]));

  set_clear (&train);
}

/* The model a trainer hands out is the moving average of its weights: after
 * steps 1…K of a run without averaging (the same weights, since averaging
 * never feeds back), the decay min(ema, (1 + t) / (10 + t)) applied by hand
 * gives what a run with averaging returns. */
/* Trains a new trainer with CONFIG on TRAIN until it ends and returns the
 * network it ends with (the weights' average when config->ema is set). */
static CvlNet *
train_to_end (Set                    *train,
              const CvlTrainerConfig *config)
{
  g_autoptr(CvlTrainer) trainer = NULL;
  GError *error = NULL;

  trainer = cvl_trainer_new (&train->images, &train->labels, NULL, NULL, config, &error);
  g_assert_no_error (error);
  g_assert_true (cvl_trainer_start (trainer, &error));
  cvl_trainer_wait (trainer);
  if (config->stop_at_step > 0)
    g_assert_cmpint (cvl_trainer_get_step (trainer), ==, config->stop_at_step);
  return cvl_trainer_dup_net (trainer);
}

static void
test_ema (void)
{
  enum { K = 4 };
  Set train;
  CvlTrainerConfig config, plain;
  g_autoptr(CvlNet) start = cvl_net_new (5), model = NULL, last = NULL;
  g_autofree float *avg = NULL;
  gsize n = cvl_net_n_params ();
  const float *got;
  double worst = 0;

  set_init (&train, 64, 9);
  cvl_trainer_config_init (&config);
  config.batch = 16;
  config.threads = 1;
  config.seed = 5;
  config.ema = 0.5;
  avg = g_memdup2 (cvl_net_peek_params (start), n * sizeof (float));
  plain = config;
  plain.ema = 0;
  for (int k = 1; k <= K; k++)
    {
      g_autoptr(CvlNet) w = NULL;
      const float *wk;
      float d = (float) MIN (config.ema, (1.0 + (k - 1)) / (10.0 + (k - 1)));

      plain.stop_at_step = k;
      w = train_to_end (&train, &plain);
      wk = cvl_net_peek_params (w);
      for (gsize i = 0; i < n; i++)
        avg[i] = d * avg[i] + (1.f - d) * wk[i];
    }

  config.stop_at_step = K;
  model = train_to_end (&train, &config);
  got = cvl_net_peek_params (model);
  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs (got[i] - avg[i]) / (fabs (avg[i]) + 1e-3));
  g_test_message ("largest relative difference %g", worst);
  g_assert_cmpfloat (worst, <, 1e-5);
  /* And the average is not simply the last weights: step 4 moved it by d = 0.5. */
  last = train_to_end (&train, &plain);
  g_assert_true (memcmp (cvl_net_peek_params (last), got, n * sizeof (float)) != 0);
  set_clear (&train);
}

static CvlTrainer *
resumable (Set   *train,
           Set   *test,
           gint64 stop_at)
{
  CvlTrainerConfig config;
  GError *error = NULL;
  CvlTrainer *trainer;

  cvl_trainer_config_init (&config);
  config.epochs = 2;
  config.batch = 24;
  config.threads = 2;
  config.seed = 99;
  config.stop_at_step = stop_at;
  trainer = cvl_trainer_new (&train->images, &train->labels, &test->images, &test->labels,
                             &config, &error);
  g_assert_no_error (error);
  return trainer;
}

static void
test_checkpoint_resume (void)
{
  Set train, test;
  g_autoptr(CvlTrainer) whole = NULL;
  g_autoptr(CvlTrainer) first = NULL;
  g_autoptr(CvlTrainer) second = NULL;
  g_autoptr(CvlNet) a = NULL;
  g_autoptr(CvlNet) b = NULL;
  g_autoptr(GArray) ha = NULL;
  g_autoptr(GArray) hb = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cvl-trainer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "run.ckpt", NULL);
  gsize bytes = cvl_net_n_params () * sizeof (float);
  GError *error = NULL;

  /* 100 images in batches of 24: 5 steps per epoch, the last one short. */
  set_init (&train, 100, 5);
  set_init (&test, 20, 6);

  whole = resumable (&train, &test, 0);
  g_assert_true (cvl_trainer_start (whole, &error));
  cvl_trainer_wait (whole);
  g_assert_cmpint (cvl_trainer_get_state (whole), ==, CVL_TRAINER_FINISHED);

  /* Stopped in the middle of the second epoch, checkpointed, resumed. */
  first = resumable (&train, &test, 7);
  cvl_trainer_set_checkpoint_path (first, path);
  g_assert_true (cvl_trainer_start (first, &error));
  cvl_trainer_wait (first);
  g_assert_cmpint (cvl_trainer_get_state (first), ==, CVL_TRAINER_CANCELLED);
  g_assert_cmpint (cvl_trainer_get_step (first), ==, 7);

  second = resumable (&train, &test, 0);
  g_assert_true (cvl_trainer_load_checkpoint (second, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cvl_trainer_get_step (second), ==, 7);
  g_assert_true (cvl_trainer_start (second, &error));
  cvl_trainer_wait (second);
  g_assert_cmpint (cvl_trainer_get_state (second), ==, CVL_TRAINER_FINISHED);

  a = cvl_trainer_dup_net (whole);
  b = cvl_trainer_dup_net (second);
  g_assert_cmpmem (cvl_net_peek_params (a), bytes, cvl_net_peek_params (b), bytes);

  ha = cvl_trainer_dup_history (whole);
  hb = cvl_trainer_dup_history (second);
  g_assert_cmpint (ha->len, ==, 2);
  g_assert_cmpint (hb->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      CvlEpochRecord *ra = &g_array_index (ha, CvlEpochRecord, i);
      CvlEpochRecord *rb = &g_array_index (hb, CvlEpochRecord, i);

      g_assert_cmpfloat_with_epsilon (ra->loss, rb->loss, 1e-12);
      g_assert_cmpfloat_with_epsilon (ra->test_accuracy, rb->test_accuracy, 1e-12);
    }

  /* A model file is not a checkpoint. */
  {
    g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
    g_autoptr(CvlTrainer) third = resumable (&train, &test, 0);

    g_assert_true (cvl_net_save (a, model, NULL, &error));
    g_assert_false (cvl_trainer_load_checkpoint (third, model, &error));
    g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
    g_clear_error (&error);
    g_unlink (model);
  }

  g_unlink (path);
  g_rmdir (dir);
  set_clear (&train);
  set_clear (&test);
}

typedef struct
{
  CvlTrainer *trainer;
  const char *path;
  GError     *error;
} SaveJob;

static gpointer
save_in_thread (gpointer data)
{
  SaveJob *job = data;

  return GINT_TO_POINTER (cvl_trainer_save_checkpoint (job->trainer, job->path, &job->error));
}

/* A checkpoint saved on a worker while this thread drains and asks for a
 * step and a resume: the file holds the paused state exactly (the trainer
 * makes no step until the save is done), and training goes on after it. */
static void
test_checkpoint_save_on_worker (void)
{
  Set train, test;
  g_autoptr(CvlTrainer) trainer = NULL;
  g_autoptr(CvlTrainer) loaded = NULL;
  g_autoptr(CvlNet) before = NULL;
  g_autoptr(CvlNet) after = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cvl-trainer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "run.ckpt", NULL);
  gsize bytes = cvl_net_n_params () * sizeof (float);
  CvlTrainerUpdate update = { 0 };
  SaveJob job = { NULL, path, NULL };
  GError *error = NULL;
  GThread *thread;
  gint64 paused_step;

  set_init (&train, 100, 5);
  set_init (&test, 20, 6);
  trainer = resumable (&train, &test, 0);
  cvl_trainer_pause (trainer);
  g_assert_true (cvl_trainer_start (trainer, &error));
  cvl_trainer_step_once (trainer);
  cvl_trainer_step_once (trainer);
  while (cvl_trainer_get_step (trainer) < 2)
    cvl_trainer_wait_update (trainer, 10000);
  wait_state (trainer, CVL_TRAINER_PAUSED);
  before = cvl_trainer_dup_net (trainer);
  paused_step = 2;

  /* The save takes well over 10 ms (40 MB): the step and the resume asked
   * 10 ms in come during it. If the saver thread was so late that they came
   * first, the save is refused as the trainer runs: pause and try again. */
  job.trainer = trainer;
  for (int attempt = 0;; attempt++)
    {
      thread = g_thread_new ("save", save_in_thread, &job);
      g_usleep (10000);
      cvl_trainer_step_once (trainer);
      cvl_trainer_resume (trainer);
      cvl_trainer_drain (trainer, &update);
      if (GPOINTER_TO_INT (g_thread_join (thread)))
        break;
      g_assert_error (job.error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
      g_assert_cmpint (attempt, <, 5);
      g_clear_error (&job.error);
      cvl_trainer_pause (trainer);
      wait_state (trainer, CVL_TRAINER_PAUSED);
      g_clear_pointer (&before, cvl_net_free);
      before = cvl_trainer_dup_net (trainer);
      paused_step = cvl_trainer_get_step (trainer);
    }
  g_assert_no_error (job.error);
  while (cvl_trainer_get_step (trainer) < paused_step + 2)
    cvl_trainer_wait_update (trainer, 10000);
  cvl_trainer_cancel (trainer);
  cvl_trainer_wait (trainer);
  cvl_trainer_update_clear (&update);

  loaded = resumable (&train, &test, 0);
  g_assert_true (cvl_trainer_load_checkpoint (loaded, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cvl_trainer_get_step (loaded), ==, paused_step);
  after = cvl_trainer_dup_net (loaded);
  g_assert_cmpmem (cvl_net_peek_params (after), bytes, cvl_net_peek_params (before), bytes);

  g_unlink (path);
  g_rmdir (dir);
  set_clear (&train);
  set_clear (&test);
}

/* A checkpoint refused at its last tensor (here optimizer.v renamed) leaves
 * the trainer's weights as they were, not half replaced. */
static void
test_refused_checkpoint_changes_nothing (void)
{
  Set train, test;
  g_autoptr(CvlTrainer) first = NULL;
  g_autoptr(CvlTrainer) second = NULL;
  g_autoptr(CvlNet) before = NULL;
  g_autoptr(CvlNet) after = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cvl-trainer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "run.ckpt", NULL);
  g_autofree char *data = NULL;
  gsize bytes = cvl_net_n_params () * sizeof (float);
  gsize size;
  guint64 header_len;
  char *name;
  GError *error = NULL;

  set_init (&train, 100, 5);
  set_init (&test, 20, 6);
  first = resumable (&train, &test, 3);
  cvl_trainer_set_checkpoint_path (first, path);
  g_assert_true (cvl_trainer_start (first, &error));
  cvl_trainer_wait (first);
  g_assert_cmpint (cvl_trainer_get_step (first), ==, 3);

  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  memcpy (&header_len, data, 8);
  header_len = GUINT64_FROM_LE (header_len);
  name = g_strstr_len (data + 8, header_len, "\"optimizer.v\"");
  g_assert_nonnull (name);
  name[strlen ("\"optimizer.")] = 'w';
  g_assert_true (g_file_set_contents (path, data, size, &error));

  second = resumable (&train, &test, 0);
  before = cvl_trainer_dup_net (second);
  g_assert_false (cvl_trainer_load_checkpoint (second, path, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "optimizer.v"));
  g_clear_error (&error);
  after = cvl_trainer_dup_net (second);
  g_assert_cmpmem (cvl_net_peek_params (before), bytes, cvl_net_peek_params (after), bytes);
  g_assert_cmpint (cvl_trainer_get_step (second), ==, 0);
  g_assert_cmpint (cvl_trainer_get_state (second), ==, CVL_TRAINER_IDLE);

  g_unlink (path);
  g_rmdir (dir);
  set_clear (&train);
  set_clear (&test);
}

static void
test_bad_config (void)
{
  Set train;
  CvlTrainerConfig config;
  GError *error = NULL;
  CvlIdxLabels short_labels;

  set_init (&train, 10, 7);
  cvl_trainer_config_init (&config);
  config.batch = 0;
  g_assert_null (cvl_trainer_new (&train.images, &train.labels, NULL, NULL, &config, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  cvl_trainer_config_init (&config);
  short_labels = train.labels;
  short_labels.count = 9;
  g_assert_null (cvl_trainer_new (&train.images, &short_labels, NULL, NULL, &config, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  set_clear (&train);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/trainer/learns", test_learns);
  g_test_add_func ("/core/trainer/pause-resume-cancel", test_pause_resume_cancel);
  g_test_add_func ("/core/trainer/records", test_records);
  g_test_add_func ("/core/trainer/step-once", test_step_once);
  g_test_add_func ("/core/trainer/set-weights", test_set_weights);
  g_test_add_func ("/core/trainer/nan-stops", test_nan_stops);
  g_test_add_func ("/core/trainer/ema", test_ema);
  g_test_add_func ("/core/trainer/checkpoint-resume", test_checkpoint_resume);
  g_test_add_func ("/core/trainer/checkpoint-save-on-worker", test_checkpoint_save_on_worker);
  g_test_add_func ("/core/trainer/refused-checkpoint-changes-nothing",
                   test_refused_checkpoint_changes_nothing);
  g_test_add_func ("/core/trainer/bad-config", test_bad_config);

  return g_test_run ();
}
