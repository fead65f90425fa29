/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the Train page's three files share: the instance struct and the
 * functions one half calls in another (training, views, files). */
#pragma once

#include "cvl-confusion.h"
#include "cvl-dataset.h"
#include "cvl-filter-grid.h"
#include "cvl-matrix-view.h"
#include "cvl-net-ref.h"
#include "cvl-plot.h"
#include "cvl-train-page.h"
#include "cvl-train-events.h"
#include "cvl-trainer.h"

G_BEGIN_DECLS

/* Which dataset the combo row shows. */
typedef enum
{
  DATA_MNIST,
  DATA_FASHION,
  DATA_FOLDER,
} DataChoice;

#define GALLERY_MAX 60   /* mistakes shown at once */

/* Series of the two plots. */
enum { LOSS_SERIES, N_LOSS_SERIES };
enum { TEST_SERIES, ESTIMATE_SERIES, TRAIN_SERIES, N_ACCURACY_SERIES };

struct _CvlTrainPage
{
  GtkWidget        parent_instance;

  /* template */
  AdwComboRow     *dataset_row, *optimizer_row;
  AdwActionRow    *data_status_row, *model_row, *download_row;
  GtkProgressBar  *download_bar;
  AdwActionRow    *tensorboard_row;
  GtkSwitch       *tensorboard_switch, *ema_switch;
  GtkWidget       *locate_button, *download_button, *settings_group, *network_grid, *main_scroll;
  GtkButton       *start_button;
  AdwButtonContent *start_content;
  GtkSpinButton   *epochs_spin, *batch_spin, *lr_spin, *keep_spin, *seed_spin, *limit_spin;
  GtkSpinButton   *channel_spin, *digit_spin;
  GtkLabel        *state_label, *progress_label, *speed_label, *digit_label;
  GtkLabel        *filter_label, *confusion_title, *gallery_title, *gallery_label;
  GtkProgressBar  *progress_bar;
  GtkScale        *smoothing_scale;
  GtkToggleButton *log_button;
  GtkDropDown     *x_axis_dropdown;
  CvlPlot         *loss_plot, *accuracy_plot;
  CvlFilterGrid   *conv1_grid, *conv2_grid;
  CvlFilterGrid   *conv1_maps, *pool1_maps, *conv2_maps, *pool2_maps;
  CvlMatrixView   *digit_view;
  CvlConfusion    *confusion;
  GtkFlowBox      *gallery;
  GtkWidget       *gallery_all_button;

  GSettings       *settings;       /* or NULL (tests) */

  /* data */
  CvlDataset      *dataset;        /* loaded, or NULL */
  char            *folder;         /* the folder chosen with Locate, or NULL */
  GCancellable    *data_cancellable;
  gboolean         data_loading;
  gboolean         start_when_loaded;
  struct _DownloadJob *download;   /* the download in flight, or NULL */
  guint            download_timer;
  const CvlDatasetSource *download_source;   /* tests: replaces the published one */

  /* TensorBoard */
  char            *tensorboard_root;   /* runs go in <root>/<date-time>/; NULL: default */
  CvlTrainEvents  *tensorboard;        /* the run's writer, or NULL */
  GArray          *tensorboard_epochs; /* CvlEpochRecord waiting for the weights after them */

  /* training */
  CvlTrainer      *trainer;        /* NULL until the first start after a reset */
  CvlNetRef       *initial;        /* weights to start from (a loaded model), or NULL */
  char            *initial_checkpoint;  /* a checkpoint to continue, or NULL */
  CvlNetRef       *net;            /* the newest weights shown, named by what they are */
  gboolean         maps_in_flight, maps_pending;
  guint            tick_id;
  gboolean         preparing;      /* a worker is making the trainer */
  guint            saves;          /* saves in flight holding the trainer (cvl_trainer_hold) */
  gboolean         saving_checkpoint;  /* one writes its state: it must not step meanwhile */
  GCancellable    *net_cancellable;  /* the newest request for a fresh network */
  gboolean         disposed;       /* workers finishing late touch nothing */
  guint            prepare_serial;
  gint64           last_net_signal;
  gint64           net_step;
  double           ema_ips;
  CvlTrainerProgress progress;
  CvlEvaluation   *evaluation;     /* the newest epoch's */
  int              filter_true, filter_predicted;   /* gallery filter, −1: all */
  GtkWidget       *tiles[GALLERY_MAX];              /* GtkFlowBoxChild, made once */
  int              selected_filter;
  double           seconds;        /* training time of the newest plotted point */
  gint64           last_maps;      /* when the feature maps were last computed */
  guint            lateness_id;
  gint64           frames, late_max_us;
};

/* cvl-train-page.c */
void     cvl_train_page_update_state   (CvlTrainPage *self);
/* Shows `net` (taken) as the page's network, named `origin`. */
void     cvl_train_page_set_net        (CvlTrainPage *self,
                                        CvlNet       *net,
                                        const char   *origin);
/* The dataset is in memory (or failed to load): a pending start goes on. */
void     cvl_train_page_data_ready     (CvlTrainPage *self);
/* Drops the run (trainer, loaded weights, plots); the network on the page
 * stays until something replaces it. */
void     cvl_train_page_clear_run      (CvlTrainPage *self);
/* Clears the run and shows a fresh network for the seed (made on a worker). */
void     cvl_train_page_reset          (CvlTrainPage *self);

/* cvl-train-page-views.c */
void     cvl_train_page_build_network_table (CvlTrainPage *self);
void     cvl_train_page_setup_plots    (CvlTrainPage *self);
void     cvl_train_page_clear_views    (CvlTrainPage *self);
void     cvl_train_page_show_net       (CvlTrainPage *self);
void     cvl_train_page_show_digit     (CvlTrainPage *self);
void     cvl_train_page_show_evaluation (CvlTrainPage *self);
void     cvl_train_page_add_steps      (CvlTrainPage *self,
                                        GArray       *steps);
void     cvl_train_page_add_epochs     (CvlTrainPage *self,
                                        GArray       *epochs,
                                        int           steps_per_epoch);
void     cvl_train_page_views_init     (CvlTrainPage *self);

/* cvl-train-page-download.c */
/* The Download button shows when `missing` and the choice is a dataset
 * with mirrors (and nothing downloads already). */
void     cvl_train_page_download_show  (CvlTrainPage *self,
                                        gboolean      missing);
void     cvl_train_page_download_stop  (CvlTrainPage *self);
void     cvl_train_page_download_class_init (GtkWidgetClass *widget_class);
/* Tests only: download `source` (mirrors, files and MD5s of the test's
 * own) instead of the chosen dataset's published source. */
void     cvl_train_page_set_download_source_for_tests (CvlTrainPage           *self,
                                                       const CvlDatasetSource *source);

/* cvl-train-page-tensorboard.c */
/* A run starts: opens a new event file if the switch is on (and none is
 * open), closes it if off. FALSE with an error if it cannot be created. */
gboolean cvl_train_page_tensorboard_open  (CvlTrainPage           *self,
                                           GError                **error);
/* Queues a drained update's records; `fresh` says a new snapshot came with
 * it (epochs wait for one, so their filters are the weights after them). */
void     cvl_train_page_tensorboard_drain (CvlTrainPage           *self,
                                           const CvlTrainerUpdate *update,
                                           gboolean                fresh,
                                           gboolean                ended);
void     cvl_train_page_tensorboard_close (CvlTrainPage           *self);
void     cvl_train_page_tensorboard_init  (CvlTrainPage           *self);
void     cvl_train_page_tensorboard_class_init (GtkWidgetClass    *widget_class);

/* cvl-train-page-io.c */
const char *cvl_train_page_data_key    (CvlTrainPage *self);
void     cvl_train_page_find_data      (CvlTrainPage *self);
void     cvl_train_page_load_data      (CvlTrainPage *self);
void     cvl_train_page_io_class_init  (GtkWidgetClass *widget_class);
void     cvl_train_page_io_init        (CvlTrainPage *self);

G_END_DECLS
