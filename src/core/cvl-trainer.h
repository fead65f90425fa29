/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training the lecture network in a thread of its own: shuffled batches,
 * Adam or SGD, a test-set evaluation per epoch, pause/resume/cancel at any
 * step, NaN detection, checkpoints that resume bit for bit, and a hand-off
 * of progress and weight snapshots that a UI drains once per frame. */
#pragma once

#include "cvl-idx.h"
#include "cvl-net.h"

G_BEGIN_DECLS

typedef enum
{
  CVL_OPTIMIZER_ADAM,
  CVL_OPTIMIZER_SGD,
} CvlOptimizer;

typedef struct
{
  int          epochs;       /* 5 */
  int          batch;        /* 128 */
  double       lr;           /* 0.001 */
  CvlOptimizer optimizer;    /* Adam */
  double       momentum;     /* 0.9, SGD only */
  double       keep_prob;    /* 0.75 */
  guint64      seed;         /* 1 */
  int          threads;      /* 0: all the machine's cores */
  int          limit;        /* training images used, 0 = all */
  int          snapshot_ms;  /* least time between weight snapshots: 250; < 0: none */
  gint64       stop_at_step; /* cancel once this many steps are done, 0 = never */
  int          estimate_every;  /* steps between held-out estimates, 0 = never */
  int          estimate_images; /* the held-out slice: the first N test images (1000) */
  gboolean     background;   /* train at background priority (a UI beside it) */
  double       ema;          /* decay of the weights' moving average, which is what is
                              * evaluated, shown and saved: 0.999; 0: the last weights */
} CvlTrainerConfig;

void cvl_trainer_config_init (CvlTrainerConfig *config);

typedef enum
{
  CVL_TRAINER_IDLE,       /* not started */
  CVL_TRAINER_RUNNING,
  CVL_TRAINER_PAUSED,
  CVL_TRAINER_FINISHED,   /* every epoch done */
  CVL_TRAINER_CANCELLED,
  CVL_TRAINER_FAILED,     /* see cvl_trainer_get_error */
} CvlTrainerState;

typedef struct
{
  gint64 step;              /* optimiser steps done */
  gint64 total_steps;
  int    epoch;             /* from 1: the epoch the step belongs to */
  int    steps_per_epoch;
  double loss;              /* of the last batch */
  double batch_accuracy;    /* of the last batch, 0–1 */
  double images_per_second; /* smoothed */
} CvlTrainerProgress;

typedef struct
{
  int    epoch;
  gint64 step;              /* steps done at its end */
  double seconds;           /* training time, evaluation and pauses excluded */
  double images_per_second;
  double loss;              /* mean training loss */
  double train_accuracy;    /* 0–1, on the training batches (dropout on) */
  double test_accuracy;     /* 0–1, NAN without a test set */
} CvlEpochRecord;

/* One optimiser step, for plotting every step even when the UI drains less
 * often than steps are made. */
typedef struct
{
  gint64 step;              /* steps done after it, from 1 */
  double epoch;             /* fractional: step / steps per epoch */
  double seconds;           /* training time so far, pauses excluded */
  float  loss;
  float  batch_accuracy;    /* 0–1 */
  float  estimate;          /* held-out accuracy after this step, NAN if not measured */
} CvlStepRecord;

/* A test digit the network got wrong. */
typedef struct
{
  guint32 index;            /* into the test set */
  guint8  label;
  guint8  predicted;
  float   confidence;       /* softmax probability of `predicted` */
} CvlMistake;

/* The test set's verdict after an epoch. */
typedef struct
{
  int      epoch;
  double   accuracy;
  guint32  confusion[10 * 10];   /* rows: true label, columns: predicted */
  GArray  *mistakes;             /* CvlMistake, the most confident first, at most 1000 */
} CvlEvaluation;

void cvl_evaluation_free (CvlEvaluation *evaluation);

/* What changed since the last drain. Free with cvl_trainer_update_clear. */
typedef struct
{
  CvlTrainerState    state;
  gboolean           has_progress;
  CvlTrainerProgress progress;
  GArray            *epochs;     /* CvlEpochRecord finished since the last drain */
  GArray            *steps;      /* CvlStepRecord made since the last drain */
  CvlEvaluation     *evaluation; /* the newest epoch's, if one ended since, or NULL */
  CvlNet            *snapshot;   /* the newest weights if new ones are ready, or NULL */
} CvlTrainerUpdate;

void cvl_trainer_update_clear (CvlTrainerUpdate *update);

typedef struct _CvlTrainer CvlTrainer;

/* The images and labels are copied; the test set may be NULL. */
CvlTrainer *cvl_trainer_new   (const CvlIdxImages     *train_images,
                               const CvlIdxLabels     *train_labels,
                               const CvlIdxImages     *test_images,
                               const CvlIdxLabels     *test_labels,
                               const CvlTrainerConfig *config,
                               GError                **error);
/* Cancels and joins a running trainer. */
void        cvl_trainer_free  (CvlTrainer *trainer);

/* Before start: continue from a checkpoint. Its seed, batch, learning
 * rate, optimiser, keep probability and limit replace the config's; the
 * number of epochs and threads stay as configured. */
gboolean    cvl_trainer_load_checkpoint (CvlTrainer  *trainer,
                                         const char  *path,
                                         GError     **error);
/* Before start: begin from a model's weights (a fresh optimiser state). */
void        cvl_trainer_set_weights (CvlTrainer   *trainer,
                                     const CvlNet *net);
/* Written by the training thread after each epoch and when it stops. */
void        cvl_trainer_set_checkpoint_path (CvlTrainer *trainer,
                                             const char *path);
/* For a worker handed the trainer (a save): while held, cvl_trainer_free
 * (after cancelling and joining) waits for the release before freeing. */
void        cvl_trainer_hold    (CvlTrainer *trainer);
void        cvl_trainer_release (CvlTrainer *trainer);
/* Only while not running (idle, paused or ended). Safe to call on a worker
 * while another thread drains, pauses or cancels: the lock is not held
 * during the write; the trainer makes no step until the save returns (a
 * resume or step waits for it) and cvl_trainer_free waits for it too. */
gboolean    cvl_trainer_save_checkpoint (CvlTrainer  *trainer,
                                         const char  *path,
                                         GError     **error);

gboolean    cvl_trainer_start  (CvlTrainer  *trainer,
                                GError     **error);
/* Take effect between two steps. */
void        cvl_trainer_pause  (CvlTrainer *trainer);
void        cvl_trainer_resume (CvlTrainer *trainer);
/* While paused (or before start, after cvl_trainer_pause): one step, then
 * paused again. */
void        cvl_trainer_step_once (CvlTrainer *trainer);
void        cvl_trainer_cancel (CvlTrainer *trainer);
/* Blocks until the training thread has ended (no-op if never started). */
void        cvl_trainer_wait   (CvlTrainer *trainer);
/* Blocks until the state is not RUNNING-with-nothing-new, or timeout_us. */
void        cvl_trainer_wait_update (CvlTrainer *trainer,
                                     gint64      timeout_us);

void        cvl_trainer_drain  (CvlTrainer       *trainer,
                                CvlTrainerUpdate *update);
CvlTrainerState cvl_trainer_get_state (CvlTrainer *trainer);
/* Why the trainer failed (NaN loss …), or NULL. */
const GError *cvl_trainer_get_error   (CvlTrainer *trainer);
gint64      cvl_trainer_get_step     (CvlTrainer *trainer);
/* A copy of the model: the weights' moving average with config.ema > 0,
 * else the current weights; the last good weights after a failure. */
CvlNet     *cvl_trainer_dup_net      (CvlTrainer *trainer);
/* Every epoch so far, CvlEpochRecord (a copy). */
GArray     *cvl_trainer_dup_history  (CvlTrainer *trainer);
const CvlTrainerConfig *cvl_trainer_get_config (CvlTrainer *trainer);
/* What a saved model records of its training (dataset, epochs, seed, batch,
 * optimizer, lr, keep_prob, threads, test_accuracy): char* → char*. */
GHashTable *cvl_trainer_model_metadata (CvlTrainer *trainer,
                                        const char *dataset);

/* Accuracy (0–1) of `net` on a labelled set; `confusion` [10×10], rows the
 * true label, if not NULL. */
double      cvl_net_evaluate (CvlNet             *net,
                              const CvlIdxImages *images,
                              const CvlIdxLabels *labels,
                              guint32            *confusion);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlEvaluation, cvl_evaluation_free)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlTrainer, cvl_trainer_free)

G_END_DECLS
