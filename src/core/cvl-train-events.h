/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a training run writes to TensorBoard, shared by `convolve-cli train
 * --tensorboard` and the Train page's switch: every step's loss and batch
 * accuracy, each epoch's metrics and conv1's filters as an image; written
 * in the caller's thread, or queued to a writer thread of its own. */
#pragma once

#include "cvl-tfevents.h"
#include "cvl-trainer.h"

G_BEGIN_DECLS

/* conv1's 32 filters as one gray image: 4 rows of 8 tiles, each 5×5 filter
 * stretched over its own min–max, scaled 4× (nearest), 2-pixel black gaps. */
#define CVL_FILTERS_IMAGE_W (8 * 20 + 9 * 2)
#define CVL_FILTERS_IMAGE_H (4 * 20 + 5 * 2)

void     cvl_train_events_filters_image (const float *conv1,    /* [32, 1, 5, 5] */
                                         guint8      *pixels);  /* [H, W] */

/* Scalars "loss" and "batch_accuracy" for each CvlStepRecord in `steps`,
 * then for each CvlEpochRecord in `epochs` "epoch/loss",
 * "epoch/train_accuracy", "epoch/test_accuracy" (when measured) and the
 * image "conv1/filters" from `conv1` ([32,1,5,5]; needed only with epochs).
 * Either array may be NULL. */
gboolean cvl_train_events_write (CvlTfEvents  *events,
                                 const GArray *steps,
                                 const GArray *epochs,
                                 const float  *conv1,
                                 GError      **error);

/* The same on a writer thread, so a UI thread only copies records. */
typedef struct _CvlTrainEvents CvlTrainEvents;

/* Creates the event file in `dir` now (see cvl_tfevents_new) and starts
 * the writer. */
CvlTrainEvents *cvl_train_events_new       (const char     *dir,
                                            GError        **error);
const char     *cvl_train_events_get_path  (CvlTrainEvents *writer);
/* Queues copies of the records (and of conv1, when epochs are given). */
void            cvl_train_events_push      (CvlTrainEvents *writer,
                                            const GArray   *steps,
                                            const GArray   *epochs,
                                            const float    *conv1);
/* FALSE, once, with why a write failed; after a failure nothing more is
 * written. */
gboolean        cvl_train_events_check     (CvlTrainEvents *writer,
                                            GError        **error);
/* Writes what is queued and joins the writer. */
void            cvl_train_events_free      (CvlTrainEvents *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlTrainEvents, cvl_train_events_free)

G_END_DECLS
