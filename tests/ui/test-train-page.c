/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Train page in a real window, on a tiny IDX dataset the test writes:
 * start → steps → pause → step → resume → stop, with the plots filling, the
 * filters changing, the main loop never late by more than 50 ms, an epoch's
 * confusion matrix and mistakes, a learned filter sent to the Kernels page,
 * a mistake opened on the Draw page, and bad folders and NaN losses told in
 * a toast with nothing lost; with the TensorBoard switch on, an event file
 * whose records decode. Closing the window mid-training is clean. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cvl-confusion.h"
#include "cvl-draw-page.h"
#include "cvl-filter-grid.h"
#include "cvl-kernel-page.h"
#include "cvl-net-train.h"
#include "cvl-plot.h"
#include "cvl-train-page.h"
#include "cvl-window.h"
#include "ui-test-util.h"

#define LATE_LIMIT_US 50000

/* -- A tiny dataset: class c is a bar at column 3 + 2c, noise around it -- */

static void
write_idx (const char   *dir,
           const char   *name,
           int           n_dims,
           const int    *dims,
           const guint8 *data,
           gsize         size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint8 magic[4] = { 0, 0, 8, n_dims };
  GError *error = NULL;

  g_byte_array_append (bytes, magic, 4);
  for (int i = 0; i < n_dims; i++)
    {
      guint32 be = GUINT32_TO_BE ((guint32) dims[i]);

      g_byte_array_append (bytes, (guint8 *) &be, 4);
    }
  g_byte_array_append (bytes, data, size);
  g_file_set_contents (path, (char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);
}

static void
write_set (const char *dir,
           const char *prefix,
           int         n,
           guint32     seed)
{
  g_autofree guint8 *px = g_new (guint8, (gsize) n * 784);
  g_autofree guint8 *labels = g_new (guint8, n);
  g_autofree char *images_name = g_strdup_printf ("%s-images-idx3-ubyte", prefix);
  g_autofree char *labels_name = g_strdup_printf ("%s-labels-idx1-ubyte", prefix);
  GRand *rand = g_rand_new_with_seed (seed);
  int dims3[3] = { n, 28, 28 }, dims1[1] = { n };

  for (int i = 0; i < n; i++)
    {
      int c = g_rand_int_range (rand, 0, 10);

      labels[i] = c;
      for (int p = 0; p < 784; p++)
        px[(gsize) i * 784 + p] = g_rand_int_range (rand, 0, 40);
      for (int y = 4; y < 24; y++)
        px[(gsize) i * 784 + y * 28 + 3 + 2 * c] = 255;
    }
  write_idx (dir, images_name, 3, dims3, px, (gsize) n * 784);
  write_idx (dir, labels_name, 1, dims1, labels, n);
  g_rand_free (rand);
}

/* -- Fixture ---------------------------------------------------------------- */

typedef struct
{
  GtkWidget    *window;
  CvlTrainPage *page;
  char         *dir;
  gint64        last_tick, late_max;
  guint         timer;
} Fixture;

static gboolean
has_data (gpointer page)
{
  return cvl_train_page_has_data (page);
}

/* The network for the seed, made on a worker, is on the page. */
static gboolean
shows_fresh_net (gpointer page)
{
  return g_strcmp0 (cvl_train_page_get_net_origin (page), "New network") == 0;
}

/* A model read from a file is on the page. */
static gboolean
shows_loaded_file (gpointer page)
{
  const char *origin = cvl_train_page_get_net_origin (page);

  return origin != NULL && g_str_has_suffix (origin, ".safetensors");
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  AdwViewStack *stack;

  f->dir = g_dir_make_tmp ("cvl-train-page-XXXXXX", NULL);
  write_set (f->dir, "train", 256, 1);
  write_set (f->dir, "t10k", 64, 2);
  f->window = g_object_ref (GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL)));
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = CVL_TRAIN_PAGE (find_widget (f->window, CVL_TYPE_TRAIN_PAGE));
  stack = ADW_VIEW_STACK (find_widget (f->window, ADW_TYPE_VIEW_STACK));
  adw_view_stack_set_visible_child_name (stack, "train");
  cvl_train_page_set_folder (f->page, f->dir);
  wait_until (has_data, f->page);
  wait_until (shows_fresh_net, f->page);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "batch")), 16);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  const char *names[] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

  g_clear_handle_id (&f->timer, g_source_remove);
  while (g_main_context_iteration (NULL, FALSE));
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static void
activate (Fixture *f, const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), action, NULL));
}

typedef struct { CvlTrainPage *page; gint64 step; CvlTrainerState state; } Want;

static gboolean
reached_step (gpointer data)
{
  Want *w = data;
  return cvl_train_page_get_step (w->page) >= w->step;
}

static gboolean
reached_state (gpointer data)
{
  Want *w = data;
  return cvl_train_page_get_state (w->page) == w->state;
}

static void
wait_step (Fixture *f, gint64 step)
{
  Want w = { f->page, step, 0 };
  wait_until (reached_step, &w);
}

static void
wait_state (Fixture *f, CvlTrainerState state)
{
  Want w = { f->page, 0, state };
  wait_until (reached_state, &w);
}

/* A 5 ms timer: how late does the main loop run it while training? */
static gboolean
lateness_tick (gpointer data)
{
  Fixture *f = data;
  gint64 now = g_get_monotonic_time ();

  if (f->last_tick != 0)
    f->late_max = MAX (f->late_max, now - f->last_tick - 5000);
  f->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for `us` microseconds (blocking in poll, as an idle
 * app does, so timers measure real lateness). */
static void
spin_for (gint64 us)
{
  gboolean done = FALSE;

  g_timeout_add ((guint) (us / 1000), set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The 5×5 tiles a filter grid shows, as one array. */
static float *
grid_copy (Fixture *f, const char *part, int *n)
{
  CvlFilterGrid *grid = CVL_FILTER_GRID (cvl_train_page_get_part (f->page, part));
  int tiles = cvl_filter_grid_get_n_tiles (grid);
  float *values = g_new (float, tiles * 25);

  for (int t = 0; t < tiles; t++)
    for (int i = 0; i < 25; i++)
      g_assert_true (cvl_filter_grid_get_value (grid, t, i / 5, i % 5, values + t * 25 + i));
  g_assert_false (cvl_filter_grid_get_value (grid, 0, 5, 0, values));
  *n = tiles * 25;
  return values;
}

/* -- Tests ------------------------------------------------------------------ */

static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  CvlPlot *loss = CVL_PLOT (cvl_train_page_get_part (f->page, "loss-plot"));
  g_autofree float *before = NULL, *after = NULL;
  int n_before, n_after;
  gint64 step;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "epochs")), 500);
  before = grid_copy (f, "conv1-grid", &n_before);
  g_assert_cmpint (n_before, ==, 32 * 25);
  g_assert_cmpint (cvl_plot_get_n_points (loss, 0), ==, 0);

  f->timer = g_timeout_add (5, lateness_tick, f);
  activate (f, "train.start");
  wait_step (f, 10);
  g_assert_cmpint (cvl_train_page_get_state (f->page), ==, CVL_TRAINER_RUNNING);
  /* Full speed for three seconds: the window keeps up. */
  f->late_max = 0;
  spin_for (3 * G_USEC_PER_SEC);
  g_test_message ("main loop late by at most %.1f ms while training at %.0f images/s",
                  f->late_max / 1000.0, cvl_train_page_get_images_per_second (f->page));
  /* Sanitizer builds run several times slower (see test_time_scale). */
  g_assert_cmpint (f->late_max, <=, LATE_LIMIT_US * test_time_scale ());
  g_clear_handle_id (&f->timer, g_source_remove);

  g_assert_cmpint (cvl_plot_get_n_points (loss, 0), >, 10);
  after = grid_copy (f, "conv1-grid", &n_after);
  g_assert_cmpint (n_after, ==, n_before);
  g_assert_true (memcmp (before, after, sizeof (float) * n_before) != 0);

  activate (f, "train.start");   /* pause */
  wait_state (f, CVL_TRAINER_PAUSED);
  step = cvl_train_page_get_step (f->page);
  spin_for (200000);
  g_assert_cmpint (cvl_train_page_get_step (f->page), ==, step);

  activate (f, "train.step");
  wait_step (f, step + 1);
  wait_state (f, CVL_TRAINER_PAUSED);
  spin_for (100000);
  g_assert_cmpint (cvl_train_page_get_step (f->page), ==, step + 1);

  activate (f, "train.start");   /* resume */
  wait_step (f, step + 5);
  activate (f, "train.stop");
  wait_state (f, CVL_TRAINER_CANCELLED);
  spin_for (100000);
  /* Stopping keeps the model, and the Draw page may follow it. */
  g_assert_nonnull (cvl_train_page_get_net (f->page));
  g_assert_nonnull (strstr (cvl_train_page_get_net_origin (f->page), "stopped"));
}

/* After an epoch: the confusion matrix holds every test digit, the gallery
 * the mistakes; a mistake opens on the Draw page; a filter goes to the
 * Kernels page. */
static void
test_epoch_views (Fixture *f, gconstpointer data)
{
  CvlConfusion *confusion = CVL_CONFUSION (cvl_train_page_get_part (f->page, "confusion"));
  CvlPlot *accuracy = CVL_PLOT (cvl_train_page_get_part (f->page, "accuracy-plot"));
  GtkFlowBox *gallery = GTK_FLOW_BOX (cvl_train_page_get_part (f->page, "gallery"));
  CvlKernelPage *kernels = CVL_KERNEL_PAGE (find_widget (f->window, CVL_TYPE_KERNEL_PAGE));
  guint32 total = 0, right = 0;
  const CvlKernel *kernel;
  const float *w;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "epochs")), 1);
  activate (f, "train.start");
  wait_state (f, CVL_TRAINER_FINISHED);
  spin_for (100000);

  g_assert_true (cvl_confusion_has_counts (confusion));
  for (int t = 0; t < 10; t++)
    for (int p = 0; p < 10; p++)
      {
        total += cvl_confusion_get_count (confusion, t, p);
        right += t == p ? cvl_confusion_get_count (confusion, t, p) : 0;
      }
  g_assert_cmpint (total, ==, 64);
  g_assert_cmpint (cvl_plot_get_n_points (accuracy, 0), ==, 1);   /* the test set, epoch 1 */
  {
    int n_tiles = 0;

    for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (gallery)); c;
         c = gtk_widget_get_next_sibling (c))
      n_tiles += gtk_widget_get_visible (c);
    g_assert_cmpint (n_tiles, ==, MIN (64 - right, 60));
    if (n_tiles > 0)
      {
        AdwViewStack *stack = ADW_VIEW_STACK (find_widget (f->window, ADW_TYPE_VIEW_STACK));
        CvlDrawPage *draw = CVL_DRAW_PAGE (find_widget (f->window, CVL_TYPE_DRAW_PAGE));

        GtkSwitch *follow = GTK_SWITCH (find_named (GTK_WIDGET (draw), "follow-switch"));

        g_signal_emit_by_name (gallery, "child-activated",
                               gtk_widget_get_first_child (GTK_WIDGET (gallery)));
        g_assert_true (adw_view_stack_get_visible_child (stack) == GTK_WIDGET (draw));
        /* One switch makes the Train page's model the Draw page's. */
        g_assert_true (gtk_widget_is_visible (GTK_WIDGET (follow)));
        g_assert_false (cvl_draw_page_following_training (draw));
        gtk_switch_set_active (follow, TRUE);
        g_assert_true (cvl_draw_page_following_training (draw));
        gtk_switch_set_active (follow, FALSE);
        g_assert_false (cvl_draw_page_following_training (draw));
        adw_view_stack_set_visible_child_name (stack, "train");
      }
  }

  /* "Use on a Photo" opens the selected learned filter on the Kernels page. */
  g_signal_emit_by_name (cvl_train_page_get_part (f->page, "conv1-grid"), "tile-activated", 3);
  activate (f, "train.use-filter");
  kernel = cvl_kernel_page_get_kernel (kernels);
  w = cvl_net_get_tensor (cvl_train_page_get_net (f->page), "conv1.weight");
  g_assert_cmpint (kernel->width, ==, 5);
  g_assert_cmpint (kernel->height, ==, 5);
  for (int i = 0; i < 25; i++)
    g_assert_cmpfloat_with_epsilon (kernel->values[i], w[3 * 25 + i], 1e-7);
  /* Let the Kernels page's render of the new kernel finish. */
  spin_for (300000);
  while (cvl_kernel_page_is_busy (kernels))
    g_main_context_iteration (NULL, TRUE);
}

/* SGD at a learning rate of 100000 blows the loss up: the toast names it, the
 * page stays usable and keeps the last good weights. */
static void
test_nan_loss (Fixture *f, gconstpointer data)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (cvl_train_page_get_part (f->page, "optimizer")), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "lr")), 100000);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "epochs")), 50);
  activate (f, "train.start");
  wait_state (f, CVL_TRAINER_FAILED);
  spin_for (200000);
  g_assert_true (window_shows_text (f->window, "The loss became"));
  g_assert_nonnull (cvl_train_page_get_net (f->page));
  /* Reset, lower rate: training works again. */
  activate (f, "train.reset");
  adw_combo_row_set_selected (ADW_COMBO_ROW (cvl_train_page_get_part (f->page, "optimizer")), 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "lr")), 0.001);
  activate (f, "train.step");
  wait_step (f, 1);
}

static void
test_bad_folder (Fixture *f, gconstpointer data)
{
  g_autofree char *empty = g_dir_make_tmp ("cvl-train-empty-XXXXXX", NULL);

  cvl_train_page_set_folder (f->page, empty);
  spin_for (300000);
  g_assert_false (cvl_train_page_has_data (f->page));
  g_assert_true (window_shows_text (f->window, "train-images-idx3-ubyte"));
  activate (f, "train.start");   /* refused with a message, nothing runs */
  spin_for (200000);
  g_assert_cmpint (cvl_train_page_get_state (f->page), ==, CVL_TRAINER_IDLE);
  g_rmdir (empty);
  /* Back to good data: trains. */
  cvl_train_page_set_folder (f->page, f->dir);
  wait_until (has_data, f->page);
  wait_until (shows_fresh_net, f->page);
  activate (f, "train.step");
  wait_step (f, 1);
}

static gboolean
shows_saved (gpointer window)
{
  return window_shows_text (window, "Saved “");
}

/* A checkpoint of a paused run is written on a worker: the main loop keeps
 * running meanwhile, the page says so and lets nothing step, resume or
 * reset the run until the file is complete; then training goes on. */
static void
test_checkpoint_async (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "run.safetensors", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlNet) loaded = NULL;
  g_autofree char *step_text = NULL;
  GtkLabel *state = GTK_LABEL (cvl_train_page_get_part (f->page, "state-label"));
  gint64 step, t0, call_us;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "epochs")), 500);
  activate (f, "train.start");
  wait_step (f, 3);
  activate (f, "train.start");   /* pause */
  wait_state (f, CVL_TRAINER_PAUSED);
  step = cvl_train_page_get_step (f->page);

  f->timer = g_timeout_add (5, lateness_tick, f);
  spin_for (50000);
  f->late_max = 0;
  t0 = g_get_monotonic_time ();
  cvl_train_page_save_checkpoint (f->page, file);
  call_us = g_get_monotonic_time () - t0;
  /* Returned before the file was written: the page shows the save. */
  g_assert_cmpstr (gtk_label_get_text (state), ==, "Saving the checkpoint…");
  activate (f, "train.step");
  activate (f, "train.start");
  activate (f, "train.reset");
  g_assert_cmpint (cvl_train_page_get_state (f->page), ==, CVL_TRAINER_PAUSED);
  wait_until (shows_saved, f->window);
  g_clear_handle_id (&f->timer, g_source_remove);
  /* Reported, not asserted: on a loaded machine the worker and the disk
   * compete with the main loop; the label above is what tells a save on the
   * main thread (the old way) from one on a worker. */
  g_test_message ("the save call took %.1f ms; the main loop was late by at most %.1f ms",
                  call_us / 1000.0, f->late_max / 1000.0);
  g_assert_cmpstr (gtk_label_get_text (state), ==, "Paused");
  spin_for (100000);
  g_assert_cmpint (cvl_train_page_get_step (f->page), ==, step);
  g_assert_cmpint (cvl_train_page_get_state (f->page), ==, CVL_TRAINER_PAUSED);

  /* The whole checkpoint, of the paused step. */
  loaded = cvl_net_load (path, &error);
  g_assert_no_error (error);
  step_text = g_strdup_printf ("%" G_GINT64_FORMAT, step);
  g_assert_cmpstr (g_hash_table_lookup (cvl_net_get_metadata (loaded), "step"), ==, step_text);
  g_assert_cmpstr (g_hash_table_lookup (cvl_net_get_metadata (loaded), "convolve_checkpoint"),
                   ==, "1");

  activate (f, "train.start");   /* resume */
  wait_step (f, step + 2);
  g_unlink (path);
}

/* Seeds typed one after another: each makes a network on a worker, none is
 * built on the main thread, and only the last seed's is shown. */
static void
test_seed_async (Fixture *f, gconstpointer data)
{
  GtkSpinButton *seed = GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "seed"));
  g_autoptr(CvlNet) want = cvl_net_new (9);
  gsize bytes = cvl_net_n_params () * sizeof (float);
  gint64 t0, took;

  t0 = g_get_monotonic_time ();
  for (int s = 2; s <= 9; s++)
    gtk_spin_button_set_value (seed, s);
  took = g_get_monotonic_time () - t0;
  g_test_message ("8 seed changes took %.1f ms on the main thread", took / 1000.0);
  /* Made on workers and applied from the main loop, which has not run yet:
   * built here (the old way), the last seed's network would be shown now. */
  g_assert_false (memcmp (cvl_net_peek_params (cvl_train_page_get_net (f->page)),
                          cvl_net_peek_params (want), bytes) == 0);

  wait_until (shows_fresh_net, f->page);
  for (int i = 0; i < 100 && memcmp (cvl_net_peek_params (cvl_train_page_get_net (f->page)),
                                     cvl_net_peek_params (want), bytes) != 0; i++)
    spin_for (20000);
  g_assert_cmpmem (cvl_net_peek_params (cvl_train_page_get_net (f->page)), bytes,
                   cvl_net_peek_params (want), bytes);
  /* No older seed's network lands later. */
  spin_for (300000);
  g_assert_cmpmem (cvl_net_peek_params (cvl_train_page_get_net (f->page)), bytes,
                   cvl_net_peek_params (want), bytes);
}

/* One epoch through the page, then the model saved by the page (on a
 * worker) into PATH and read back. */
static CvlNet *
train_one_epoch_and_save (Fixture    *f,
                          const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  CvlNet *saved;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "epochs")), 1);
  activate (f, "train.start");
  wait_state (f, CVL_TRAINER_FINISHED);
  spin_for (100000);
  cvl_train_page_save_model (f->page, file);
  wait_until (shows_saved, f->window);
  saved = cvl_net_load (path, &error);
  g_assert_no_error (error);
  return saved;
}

/* A model saved from the page loads back, and training continues from it. */
static void
test_save_and_load (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "saved.safetensors", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(CvlNet) saved = train_one_epoch_and_save (f, path);

  /* The trainer's final weights. */
  g_assert_cmpmem (cvl_net_peek_params (saved), cvl_net_n_params () * sizeof (float),
                   cvl_net_peek_params (cvl_train_page_get_net (f->page)),
                   cvl_net_n_params () * sizeof (float));
  /* "Average the weights" is on by default: the saved model is the average. */
  g_assert_cmpstr (g_hash_table_lookup (cvl_net_get_metadata (saved), "ema"), ==, "0.999");

  activate (f, "train.reset");
  g_assert_cmpint (cvl_train_page_get_state (f->page), ==, CVL_TRAINER_IDLE);
  wait_until (shows_fresh_net, f->page);
  g_assert_false (memcmp (cvl_net_peek_params (cvl_train_page_get_net (f->page)),
                          cvl_net_peek_params (saved), 64) == 0);
  /* Read on a worker: wait for it (a fixed half second was too short under
   * ThreadSanitizer). */
  cvl_train_page_load_file (f->page, file);
  wait_until (shows_loaded_file, f->page);
  g_assert_true (memcmp (cvl_net_peek_params (cvl_train_page_get_net (f->page)),
                         cvl_net_peek_params (saved),
                         cvl_net_n_params () * sizeof (float)) == 0);
  activate (f, "train.step");
  wait_step (f, 1);
  g_unlink (path);
}

/* With "Average the weights" off the page trains as the lecture does: the
 * model it saves is the last weights, and says so. */
static void
test_average_off (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "last.safetensors", NULL);
  g_autoptr(CvlNet) saved = NULL;

  gtk_switch_set_active (GTK_SWITCH (cvl_train_page_get_part (f->page, "average")), FALSE);
  saved = train_one_epoch_and_save (f, path);
  g_assert_cmpstr (g_hash_table_lookup (cvl_net_get_metadata (saved), "ema"), ==, "0");
  g_unlink (path);
}

static gboolean
run_finished (gpointer page)
{
  return window_shows_text (page, "steps (finished)");
}

/* 2 epochs of 16 steps with the switch on: every step's loss and batch
 * accuracy, each epoch's metrics and filters, decoded by the CLI test's
 * reader (CRCs, protoc --decode_raw, the PNG). */
static void
test_tensorboard (Fixture *f, gconstpointer data)
{
  g_autofree char *root = g_build_filename (f->dir, "runs", NULL);
  g_autofree char *path = NULL, *run = NULL, *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "python3", TENSORBOARD_DECODER, "--summary", NULL, NULL };
  g_auto(GStrv) lines = NULL;
  int status, losses = 0, accuracies = 0;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "epochs")), 2);
  cvl_train_page_set_tensorboard_folder (f->page, root);
  gtk_switch_set_active (GTK_SWITCH (cvl_train_page_get_part (f->page, "tensorboard")), TRUE);
  activate (f, "train.start");
  path = g_strdup (cvl_train_page_get_tensorboard_path (f->page));
  g_assert_nonnull (path);
  g_assert_true (g_str_has_prefix (path, root));
  wait_until (run_finished, f->page);
  /* Reset closes the file: the writer thread has written everything. */
  activate (f, "train.reset");
  g_assert_null (cvl_train_page_get_tensorboard_path (f->page));

  argv[3] = path;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("the decoder failed: %s", err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      losses += g_str_has_prefix (lines[i], "loss ");
      accuracies += g_str_has_prefix (lines[i], "batch_accuracy ");
    }
  g_assert_cmpint (losses, ==, 32);
  g_assert_cmpint (accuracies, ==, 32);
  g_assert_true (g_str_has_prefix (out, "loss 1\nbatch_accuracy 1\n"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "epoch/loss 16"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "epoch/test_accuracy 32"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "conv1/filters 16"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "conv1/filters 32"));

  run = g_path_get_dirname (path);
  g_unlink (path);
  g_rmdir (run);
  g_rmdir (root);
}

/* A folder that cannot be made: a toast, no training, the switch free. */
static void
test_tensorboard_bad_folder (Fixture *f, gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->dir, "train-images-idx3-ubyte", NULL);
  g_autofree char *below = g_build_filename (file, "runs", NULL);
  GtkWidget *toggle = cvl_train_page_get_part (f->page, "tensorboard");

  cvl_train_page_set_tensorboard_folder (f->page, below);
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  activate (f, "train.start");
  g_assert_true (window_shows_text (f->window, "Cannot write TensorBoard logs"));
  g_assert_cmpint (cvl_train_page_get_state (f->page), ==, CVL_TRAINER_IDLE);
  g_assert_null (cvl_train_page_get_tensorboard_path (f->page));
  g_assert_true (gtk_widget_is_sensitive (toggle));
}

/* Closing the window mid-training joins the thread; nothing is left behind
 * (the teardown checks the window is finalised). */
static void
test_close_while_training (Fixture *f, gconstpointer data)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (f->page, "epochs")), 500);
  activate (f, "train.start");
  wait_step (f, 3);
  g_assert_cmpint (cvl_train_page_get_state (f->page), ==, CVL_TRAINER_RUNNING);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add ("/ui/train-page/lifecycle", Fixture, NULL, fixture_setup, test_lifecycle,
              fixture_teardown);
  g_test_add ("/ui/train-page/epoch-views", Fixture, NULL, fixture_setup, test_epoch_views,
              fixture_teardown);
  g_test_add ("/ui/train-page/nan-loss", Fixture, NULL, fixture_setup, test_nan_loss,
              fixture_teardown);
  g_test_add ("/ui/train-page/bad-folder", Fixture, NULL, fixture_setup, test_bad_folder,
              fixture_teardown);
  g_test_add ("/ui/train-page/save-and-load", Fixture, NULL, fixture_setup, test_save_and_load,
              fixture_teardown);
  g_test_add ("/ui/train-page/average-off", Fixture, NULL, fixture_setup, test_average_off,
              fixture_teardown);
  g_test_add ("/ui/train-page/checkpoint-async", Fixture, NULL, fixture_setup,
              test_checkpoint_async, fixture_teardown);
  g_test_add ("/ui/train-page/seed-async", Fixture, NULL, fixture_setup, test_seed_async,
              fixture_teardown);
  g_test_add ("/ui/train-page/tensorboard", Fixture, NULL, fixture_setup, test_tensorboard,
              fixture_teardown);
  g_test_add ("/ui/train-page/tensorboard-bad-folder", Fixture, NULL, fixture_setup,
              test_tensorboard_bad_folder, fixture_teardown);
  g_test_add ("/ui/train-page/close-while-training", Fixture, NULL, fixture_setup,
              test_close_while_training, fixture_teardown);
  return g_test_run ();
}
