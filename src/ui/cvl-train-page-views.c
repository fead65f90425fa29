/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the Train page shows of the network: the layer table, the plots, the
 * conv1/conv2 filters, one test digit's feature maps, the confusion matrix
 * and the gallery of mistakes. Everything here runs on the main thread on
 * copies the trainer handed over. */
#include "config.h"

#define G_LOG_DOMAIN "Convolve"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cvl-net-features.h"
#include "cvl-net-train.h"
#include "cvl-nn.h"
#include "cvl-train-page-private.h"

#define SIDE        CVL_NET_INPUT_SIDE

/* -- The network as a table --------------------------------------------- */

static void
add_cell (GtkGrid    *grid,
          int         column,
          int         row,
          const char *text,
          gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  gtk_widget_add_css_class (label, heading ? "caption-heading" : "caption");
  if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

/* 3274634 → "3 274 634" (narrow no-break spaces, readable in any locale). */
static char *
group_digits (gint64 n)
{
  g_autofree char *plain = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (plain);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, "\u202f");
      g_string_append_c (out, plain[i]);
    }
  return g_string_free (out, FALSE);
}

/* (W − F + 2P) / S + 1, written out for one layer. */
static int
out_size (int w, int f, int p, int s, char **formula)
{
  int out = (w - f + 2 * p) / s + 1;

  *formula = g_strdup_printf ("(%d − %d + 2·%d)/%d + 1 = %d", w, f, p, s, out);
  return out;
}

void
cvl_train_page_build_network_table (CvlTrainPage *self)
{
  GtkGrid *grid = GTK_GRID (self->network_grid);
  const CvlNetTensorInfo *conv1w = cvl_net_tensor_info (0), *conv2w = cvl_net_tensor_info (2);
  const CvlNetTensorInfo *fcw = cvl_net_tensor_info (4), *logitw = cvl_net_tensor_info (6);
  int f1 = (int) conv1w->shape[2], c1 = (int) conv1w->shape[0];
  int f2 = (int) conv2w->shape[2], c2 = (int) conv2w->shape[0];
  int fc = (int) fcw->shape[0], classes = (int) logitw->shape[0];
  int w0 = SIDE, w1, w2, w3, w4, row = 0;
  g_autofree char *fm1 = NULL, *fm2 = NULL, *fm3 = NULL, *fm4 = NULL;
  struct { const char *layer; char *shape; char *formula; gsize params; } rows[7];
  gsize total = 0;

  w1 = out_size (w0, f1, f1 / 2, 1, &fm1);   /* SAME: P = (F − 1)/2 */
  w2 = out_size (w1, 2, 0, 2, &fm2);
  w3 = out_size (w2, f2, f2 / 2, 1, &fm3);
  w4 = out_size (w3, 2, 0, 2, &fm4);
  rows[0] = (typeof (rows[0])) { _("input"), g_strdup_printf ("%d×%d×1", w0, w0),
                                 g_strdup (""), 0 };
  rows[1] = (typeof (rows[0])) { _("conv1 5×5, ReLU"), g_strdup_printf ("%d×%d×%d", w1, w1, c1),
                                 g_steal_pointer (&fm1),
                                 conv1w->size + cvl_net_tensor_info (1)->size };
  rows[2] = (typeof (rows[0])) { _("pool1 max 2×2"), g_strdup_printf ("%d×%d×%d", w2, w2, c1),
                                 g_steal_pointer (&fm2), 0 };
  rows[3] = (typeof (rows[0])) { _("conv2 5×5, ReLU"), g_strdup_printf ("%d×%d×%d", w3, w3, c2),
                                 g_steal_pointer (&fm3),
                                 conv2w->size + cvl_net_tensor_info (3)->size };
  rows[4] = (typeof (rows[0])) { _("pool2 max 2×2"), g_strdup_printf ("%d×%d×%d", w4, w4, c2),
                                 g_steal_pointer (&fm4), 0 };
  rows[5] = (typeof (rows[0])) { _("fc ReLU, dropout"), g_strdup_printf ("%d", fc),
                                 g_strdup_printf ("%d·%d·%d = %d in", w4, w4, c2, w4 * w4 * c2),
                                 fcw->size + cvl_net_tensor_info (5)->size };
  rows[6] = (typeof (rows[0])) { _("logits, softmax"), g_strdup_printf ("%d", classes),
                                 g_strdup (""),
                                 logitw->size + cvl_net_tensor_info (7)->size };

  add_cell (grid, 0, row, _("Layer"), TRUE);
  add_cell (grid, 1, row, _("Output"), TRUE);
  add_cell (grid, 2, row, _("Size"), TRUE);
  add_cell (grid, 3, row, _("Parameters"), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *params = group_digits ((gint64) rows[i].params);

      row++;
      add_cell (grid, 0, row, rows[i].layer, FALSE);
      add_cell (grid, 1, row, rows[i].shape, FALSE);
      add_cell (grid, 2, row, rows[i].formula, FALSE);
      add_cell (grid, 3, row, params, FALSE);
      total += rows[i].params;
      g_free (rows[i].shape);
      g_free (rows[i].formula);
    }
  {
    gsize all = 0;

    for (guint i = 0; i < CVL_NET_N_TENSORS; i++)
      all += cvl_net_tensor_info (i)->size;
    g_assert (total == all);   /* every tensor is in a row */
  }
  {
    g_autofree char *text = group_digits ((gint64) total);

    add_cell (grid, 0, ++row, _("Total"), TRUE);
    add_cell (grid, 3, row, text, TRUE);
  }
}

/* -- Plots -------------------------------------------------------------- */

void
cvl_train_page_setup_plots (CvlTrainPage *self)
{
  guint s;

  s = cvl_plot_add_series (self->loss_plot, _("Training loss"), TRUE, FALSE);
  g_assert (s == LOSS_SERIES);
  s = cvl_plot_add_series (self->accuracy_plot, _("Test"), FALSE, TRUE);
  g_assert (s == TEST_SERIES);
  s = cvl_plot_add_series (self->accuracy_plot, _("Held-out"),
                           FALSE, TRUE);
  g_assert (s == ESTIMATE_SERIES);
  s = cvl_plot_add_series (self->accuracy_plot, _("Train"), FALSE, TRUE);
  g_assert (s == TRAIN_SERIES);
}

void
cvl_train_page_add_steps (CvlTrainPage *self,
                          GArray       *steps)
{
  for (guint i = 0; i < steps->len; i++)
    {
      const CvlStepRecord *r = &g_array_index (steps, CvlStepRecord, i);

      cvl_plot_append (self->loss_plot, LOSS_SERIES, r->step, r->epoch, r->seconds, r->loss);
      if (!isnan (r->estimate))
        cvl_plot_append (self->accuracy_plot, ESTIMATE_SERIES, r->step, r->epoch, r->seconds,
                         100.0 * r->estimate);
      self->seconds = r->seconds;
    }
}

/* `steps_per_epoch` 0: the records come from a checkpoint's history. */
void
cvl_train_page_add_epochs (CvlTrainPage *self,
                           GArray       *epochs,
                           int           steps_per_epoch)
{
  for (guint i = 0; i < epochs->len; i++)
    {
      const CvlEpochRecord *r = &g_array_index (epochs, CvlEpochRecord, i);
      double seconds = self->seconds;

      if (steps_per_epoch == 0)
        seconds = self->seconds += r->seconds;
      if (!isnan (r->test_accuracy))
        cvl_plot_append (self->accuracy_plot, TEST_SERIES, r->step, r->epoch, seconds,
                         100.0 * r->test_accuracy);
      cvl_plot_append (self->accuracy_plot, TRAIN_SERIES, r->step, r->epoch, seconds,
                       100.0 * r->train_accuracy);
    }
}

static void
on_smoothing (GtkRange     *range,
              CvlTrainPage *self)
{
  cvl_plot_set_smoothing (self->loss_plot, gtk_range_get_value (range));
}

static void
on_log_scale (GtkToggleButton *button,
              CvlTrainPage    *self)
{
  cvl_plot_set_log_scale (self->loss_plot, gtk_toggle_button_get_active (button));
}

static void
on_x_axis (GtkDropDown  *dropdown,
           GParamSpec   *pspec,
           CvlTrainPage *self)
{
  CvlPlotXAxis x = (CvlPlotXAxis) gtk_drop_down_get_selected (dropdown);

  cvl_plot_set_x_axis (self->loss_plot, x);
  cvl_plot_set_x_axis (self->accuracy_plot, x);
}

/* -- Filters and feature maps ------------------------------------------- */

static void
show_conv2 (CvlTrainPage *self)
{
  int channel = gtk_spin_button_get_value_as_int (self->channel_spin) - 1;
  const float *w;
  float slice[64 * 25];

  if (self->net == NULL)
    return;
  w = cvl_net_get_tensor (cvl_net_ref_get_net (self->net), "conv2.weight");   /* [64, 32, 5, 5] */
  for (int o = 0; o < 64; o++)
    memcpy (slice + o * 25, w + ((gsize) o * 32 + channel) * 25, 25 * sizeof (float));
  cvl_filter_grid_set_data (self->conv2_grid, slice, 64, 5, 5);
}

/* One test digit through the network, on a worker: the shared weights are
 * only read (the Draw page may be predicting with them meanwhile). */
typedef struct
{
  CvlNetRef *net;
  float      image[SIDE * SIDE];
  int        label;
  float      conv1[CVL_NET_CONV1_MAPS * 28 * 28], pool1[CVL_NET_CONV1_MAPS * 14 * 14];
  float      conv2[CVL_NET_CONV2_MAPS * 14 * 14], pool2[CVL_NET_CONV2_MAPS * 7 * 7];
  float      probs[CVL_NET_CLASSES];
} MapsJob;

static void
maps_job_free (MapsJob *job)
{
  g_clear_pointer (&job->net, cvl_net_ref_release);
  g_free (job);
}

static void
maps_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MapsJob *job = task_data;
  CvlNet *net = cvl_net_ref_get_net (job->net);
  g_autoptr(CvlNetWorkspace) ws = cvl_net_workspace_new (1, FALSE, NULL);
  guint8 arg[CVL_NET_CONV1_MAPS * 14 * 14];
  const float *z;

  cvl_net_feature_maps (net, job->image, job->conv1, job->conv2);
  cvl_nn_maxpool_forward (job->conv1, CVL_NET_CONV1_MAPS, 28, 28, job->pool1, arg);
  cvl_nn_maxpool_forward (job->conv2, CVL_NET_CONV2_MAPS, 14, 14, job->pool2, arg);
  if (ws != NULL)
    {
      z = cvl_net_forward (net, ws, job->image, 1, 1.f, NULL);
      memcpy (job->probs, z, sizeof job->probs);
      cvl_nn_softmax (1, CVL_NET_CLASSES, job->probs);
    }
  g_task_return_boolean (task, ws != NULL);
}

static void
maps_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  CvlTrainPage *self = CVL_TRAIN_PAGE (object);
  MapsJob *job = g_task_get_task_data (G_TASK (res));
  g_autofree char *text = NULL;
  int best = 0;

  self->maps_in_flight = FALSE;
  if (self->disposed)
    return;
  if (g_task_propagate_boolean (G_TASK (res), NULL))
    {
      cvl_matrix_view_set_data (self->digit_view, job->image, SIDE, SIDE, CVL_MAP_CLAMP);
      cvl_filter_grid_set_data (self->conv1_maps, job->conv1, CVL_NET_CONV1_MAPS, 28, 28);
      cvl_filter_grid_set_data (self->pool1_maps, job->pool1, CVL_NET_CONV1_MAPS, 14, 14);
      cvl_filter_grid_set_data (self->conv2_maps, job->conv2, CVL_NET_CONV2_MAPS, 14, 14);
      cvl_filter_grid_set_data (self->pool2_maps, job->pool2, CVL_NET_CONV2_MAPS, 7, 7);
      for (int j = 1; j < CVL_NET_CLASSES; j++)
        if (job->probs[j] > job->probs[best])
          best = j;
      text = g_strdup_printf (_("A %d, read as %d (%.0f%%)"), job->label, best,
                              100.0 * job->probs[best]);
      gtk_label_set_text (self->digit_label, text);
    }
  if (self->maps_pending)
    cvl_train_page_show_digit (self);
}

void
cvl_train_page_show_digit (CvlTrainPage *self)
{
  const CvlIdxImages *images;
  g_autoptr(GTask) task = NULL;
  MapsJob *job;
  int index = gtk_spin_button_get_value_as_int (self->digit_spin) - 1;

  if (self->dataset == NULL || self->net == NULL || self->disposed)
    return;
  if (self->maps_in_flight)
    {
      self->maps_pending = TRUE;   /* the newest weights go next */
      return;
    }
  self->maps_pending = FALSE;
  images = self->dataset->test_images;
  index = CLAMP (index, 0, images->count - 1);
  job = g_new0 (MapsJob, 1);
  job->net = cvl_net_ref_acquire (self->net);
  job->label = self->dataset->test_labels->labels[index];
  for (int i = 0; i < SIDE * SIDE; i++)
    job->image[i] = images->pixels[(gsize) index * SIDE * SIDE + i] / 255.f;
  task = g_task_new (self, NULL, maps_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) maps_job_free);
  self->maps_in_flight = TRUE;
  g_task_run_in_thread (task, maps_thread);
}

void
cvl_train_page_show_net (CvlTrainPage *self)
{
  const float *w;

  if (self->net == NULL)
    return;
  w = cvl_net_get_tensor (cvl_net_ref_get_net (self->net), "conv1.weight");   /* [32, 1, 5, 5] */
  cvl_filter_grid_set_data (self->conv1_grid, w, 32, 5, 5);
  show_conv2 (self);
  /* A few times a second is plenty, and leaves the cores to training. */
  if (g_get_monotonic_time () - self->last_maps >= 200000)
    {
      self->last_maps = g_get_monotonic_time ();
      cvl_train_page_show_digit (self);
    }
}

static void
on_filter_selected (CvlFilterGrid *grid,
                    int            index,
                    CvlTrainPage  *self)
{
  g_autofree char *text = NULL;

  self->selected_filter = index;
  cvl_filter_grid_set_selected (grid, index);
  text = g_strdup_printf (_("Filter %d of 32 is selected: “Use on a Photo” opens it on the "
                            "Kernels page."), index + 1);
  gtk_label_set_text (self->filter_label, text);
}

/* -- After an epoch: confusion and mistakes ------------------------------ */

/* The gallery's tiles are made once and refilled after each epoch: making
 * sixty widgets per epoch cost the main loop tens of milliseconds. */
static GtkWidget *
gallery_tile (CvlTrainPage *self,
              guint         i)
{
  GtkWidget *box, *view, *label;

  if (self->tiles[i] != NULL)
    return self->tiles[i];
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  view = cvl_matrix_view_new ();
  gtk_widget_set_size_request (view, 56, 56);
  label = gtk_label_new (NULL);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), view);
  gtk_box_append (GTK_BOX (box), label);
  gtk_flow_box_append (self->gallery, box);
  self->tiles[i] = gtk_widget_get_parent (box);
  return self->tiles[i];
}

static void
fill_tile (CvlTrainPage     *self,
           guint             i,
           const CvlMistake *m)
{
  GtkWidget *child = gallery_tile (self, i);
  GtkWidget *box = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
  GtkWidget *view = gtk_widget_get_first_child (box);
  const guint8 *px = self->dataset->test_images->pixels + (gsize) m->index * SIDE * SIDE;
  g_autofree char *text = NULL, *tip = NULL;
  float image[SIDE * SIDE];

  for (int p = 0; p < SIDE * SIDE; p++)
    image[p] = px[p] / 255.f;
  cvl_matrix_view_set_data (CVL_MATRIX_VIEW (view), image, SIDE, SIDE, CVL_MAP_CLAMP);
  text = g_strdup_printf ("%d → %d", m->label, m->predicted);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_next_sibling (view)), text);
  tip = g_strdup_printf (_("Test digit %u: a %d read as %d with %.0f%% confidence"),
                         m->index + 1, m->label, m->predicted, 100.0 * m->confidence);
  gtk_widget_set_tooltip_text (box, tip);
  g_object_set_data (G_OBJECT (child), "cvl-index", GUINT_TO_POINTER (m->index + 1));
  gtk_widget_set_visible (child, TRUE);
}

void
cvl_train_page_show_evaluation (CvlTrainPage *self)
{
  CvlEvaluation *e = self->evaluation;
  g_autofree char *title = NULL, *label = NULL;
  guint shown = 0, matching = 0;

  gtk_widget_set_visible (self->gallery_all_button, self->filter_true >= 0);
  if (e == NULL)
    {
      for (guint i = 0; i < GALLERY_MAX; i++)
        if (self->tiles[i] != NULL)
          gtk_widget_set_visible (self->tiles[i], FALSE);
      cvl_confusion_set_counts (self->confusion, NULL);
      gtk_label_set_text (self->confusion_title, _("Confusion Matrix"));
      gtk_label_set_text (self->gallery_title, _("Misclassified Test Digits"));
      gtk_label_set_text (self->gallery_label,
                          _("After each epoch, the test digits the network got wrong, the most "
                            "confident mistakes first. Click one to open it on the Draw page."));
      return;
    }
  cvl_confusion_set_counts (self->confusion, e->confusion);
  title = g_strdup_printf (_("Confusion Matrix after Epoch %d: %.2f%%"), e->epoch,
                           100.0 * e->accuracy);
  gtk_label_set_text (self->confusion_title, title);

  for (guint i = 0; i < e->mistakes->len; i++)
    {
      const CvlMistake *m = &g_array_index (e->mistakes, CvlMistake, i);

      if (self->filter_true >= 0 &&
          (m->label != self->filter_true || m->predicted != self->filter_predicted))
        continue;
      matching++;
      if (shown >= GALLERY_MAX)
        continue;
      fill_tile (self, shown++, m);
    }
  for (guint i = shown; i < GALLERY_MAX; i++)
    if (self->tiles[i] != NULL)
      gtk_widget_set_visible (self->tiles[i], FALSE);
  if (self->filter_true >= 0)
    title = (g_free (title), g_strdup_printf (_("%u %ds Read as %d"), matching, self->filter_true,
                                              self->filter_predicted));
  else
    title = (g_free (title), g_strdup_printf (_("%u Misclassified Test Digits"),
                                              e->mistakes->len));
  gtk_label_set_text (self->gallery_title, title);
  if (self->filter_true >= 0 && self->filter_true == self->filter_predicted)
    label = g_strdup_printf (_("These were read right: the gallery shows mistakes only."));
  else if (matching == 0)
    label = g_strdup (_("No test digit fell here."));
  else if (shown < matching)
    label = g_strdup_printf (_("The %u most confident of them. Click one to open it on the "
                               "Draw page."), shown);
  else
    label = g_strdup (_("The most confident mistakes first. Click one to open it on the Draw "
                        "page."));
  gtk_label_set_text (self->gallery_label, label);
}

static void
on_confusion_cell (CvlConfusion *confusion,
                   int           truth,
                   int           predicted,
                   CvlTrainPage *self)
{
  self->filter_true = truth;
  self->filter_predicted = predicted;
  cvl_train_page_show_evaluation (self);
}

static void
on_gallery_activated (GtkFlowBox      *box,
                      GtkFlowBoxChild *child,
                      CvlTrainPage    *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "cvl-index"));
  g_autofree char *name = NULL;

  if (index == 0 || self->dataset == NULL)
    return;
  index--;
  name = g_strdup_printf (_("test digit %u (a %d)"), index + 1,
                          self->dataset->test_labels->labels[index]);
  g_signal_emit_by_name (self, "open-digit",
                         self->dataset->test_images->pixels + (gsize) index * SIDE * SIDE, name);
}

void
cvl_train_page_clear_views (CvlTrainPage *self)
{
  cvl_plot_clear (self->loss_plot);
  cvl_plot_clear (self->accuracy_plot);
  self->seconds = 0;
  self->last_maps = 0;
  self->filter_true = self->filter_predicted = -1;
  cvl_train_page_show_evaluation (self);
}

void
cvl_train_page_views_init (CvlTrainPage *self)
{
  cvl_train_page_build_network_table (self);
  cvl_train_page_setup_plots (self);
  cvl_plot_set_smoothing (self->loss_plot, gtk_range_get_value (GTK_RANGE (self->smoothing_scale)));
  cvl_filter_grid_set_selected (self->conv1_grid, 0);
  cvl_filter_grid_set_columns (self->conv1_grid, 8);
  cvl_filter_grid_set_columns (self->conv2_grid, 8);
  /* Feature maps are ReLU outputs of very different strengths: each tile
   * on its own scale, so weak maps still show their pattern. */
  {
    CvlFilterGrid *maps[] = { self->conv1_maps, self->pool1_maps, self->conv2_maps,
                              self->pool2_maps };

    for (guint i = 0; i < G_N_ELEMENTS (maps); i++)
      {
        cvl_filter_grid_set_shared_scale (maps[i], FALSE);
        cvl_filter_grid_set_columns (maps[i], 8);
      }
  }
  g_signal_connect (self->smoothing_scale, "value-changed", G_CALLBACK (on_smoothing), self);
  g_signal_connect (self->log_button, "toggled", G_CALLBACK (on_log_scale), self);
  g_signal_connect (self->x_axis_dropdown, "notify::selected", G_CALLBACK (on_x_axis), self);
  g_signal_connect_swapped (self->channel_spin, "value-changed", G_CALLBACK (show_conv2), self);
  g_signal_connect_swapped (self->digit_spin, "value-changed",
                            G_CALLBACK (cvl_train_page_show_digit), self);
  g_signal_connect (self->conv1_grid, "tile-activated", G_CALLBACK (on_filter_selected), self);
  g_signal_connect (self->confusion, "cell-activated", G_CALLBACK (on_confusion_cell), self);
  g_signal_connect (self->gallery, "child-activated", G_CALLBACK (on_gallery_activated), self);
}
