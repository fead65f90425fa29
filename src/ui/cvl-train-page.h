/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Train page: train the lecture's convnet in a thread of its own and
 * watch it learn — loss and accuracy plots, the filters, feature maps, the
 * confusion matrix and the digits it gets wrong. */
#pragma once

#include <adwaita.h>

#include "cvl-net-ref.h"
#include "cvl-trainer.h"

G_BEGIN_DECLS

#define CVL_TYPE_TRAIN_PAGE (cvl_train_page_get_type ())
G_DECLARE_FINAL_TYPE (CvlTrainPage, cvl_train_page, CVL, TRAIN_PAGE, GtkWidget)

/* The newest weights on the page (being trained, trained or loaded), and
 * what they are ("Epoch 2 of 5, step 700"); "net-changed" says when they
 * change (at most twice a second while training). */
const CvlNet   *cvl_train_page_get_net        (CvlTrainPage *self);
const char     *cvl_train_page_get_net_origin (CvlTrainPage *self);
CvlNetRef      *cvl_train_page_get_net_ref    (CvlTrainPage *self);

/* Where the threads and the MNIST folder chosen in Preferences are read. */
void            cvl_train_page_set_settings   (CvlTrainPage *self,
                                               GSettings    *settings);
/* Trains on the four IDX files of `dir` instead of MNIST (as Locate does). */
void            cvl_train_page_set_folder     (CvlTrainPage *self,
                                               const char   *dir);
/* Where runs write TensorBoard logs (each in <dir>/<date-time>/) when the
 * switch is on; NULL: the user data folder's convolve/runs. */
void            cvl_train_page_set_tensorboard_folder (CvlTrainPage *self,
                                                       const char   *dir);
/* The event file the current run writes, or NULL. */
const char     *cvl_train_page_get_tensorboard_path   (CvlTrainPage *self);
/* Loads a safetensors model or checkpoint to continue training from. */
void            cvl_train_page_load_file      (CvlTrainPage *self,
                                               GFile        *file);

/* Save the newest weights as a model, or the paused or ended run as a
 * checkpoint to continue, on a worker; a toast tells how it went. */
void            cvl_train_page_save_model      (CvlTrainPage *self,
                                                GFile        *file);
void            cvl_train_page_save_checkpoint (CvlTrainPage *self,
                                                GFile        *file);

/* For tests and benchmarks. */
CvlTrainerState cvl_train_page_get_state      (CvlTrainPage *self);
gint64          cvl_train_page_get_step       (CvlTrainPage *self);
gboolean        cvl_train_page_has_data       (CvlTrainPage *self);
double          cvl_train_page_get_images_per_second (CvlTrainPage *self);
GtkWidget      *cvl_train_page_get_part       (CvlTrainPage *self,
                                               const char   *name);

G_END_DECLS
