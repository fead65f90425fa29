/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Does the Train page train as fast as the CLI, and does its window stay
 * smooth meanwhile? Trains the lecture network on MNIST for the same steps
 * twice in one run — headless (the trainer as convolve-cli drives it) and
 * through a real Train page in a window — and prints both images/s (wall
 * time from start to the last step, evaluation excluded) and how late a
 * 10 ms main-loop timer fired during the page's run, and on its own in the
 * first second after Train with the window's slowest frame. Run under a display
 * (tests/ui/run-under-x.sh does Xvfb).
 * Usage: bench-train-page [--data DIR] [--images N] */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <time.h>

#include "cvl-dataset.h"
#include "cvl-train-page.h"
#include "cvl-trainer.h"
#include "cvl-window.h"
#include "bench-lateness.h"

#define TICK_MS 10
#define START_WINDOW_US 1000000   /* "the first frames after Train" */

/* The longest frame the window's clock makes. */
typedef struct
{
  gint64 start, max_us;
  gint64 cpu_start, max_cpu_us;   /* the main thread's CPU time in that frame */
  gint64 first_us, first_cpu_us;  /* the first frame's */
} Frames;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000) + ts.tv_nsec / 1000;
}

static void
frame_begins (GdkFrameClock *clock,
              Frames        *frames)
{
  frames->start = g_get_monotonic_time ();
  frames->cpu_start = thread_cpu_us ();
}

static void
frame_ends (GdkFrameClock *clock,
            Frames        *frames)
{
  gint64 wall = g_get_monotonic_time () - frames->start;

  if (frames->start != 0 && frames->first_us == 0)
    {
      frames->first_us = wall;
      frames->first_cpu_us = thread_cpu_us () - frames->cpu_start;
    }
  if (frames->start != 0 && wall > frames->max_us)
    {
      frames->max_us = wall;
      frames->max_cpu_us = thread_cpu_us () - frames->cpu_start;
    }
}

/* The worst tick of a 10 ms timer, and how much of the wait the main
 * thread spent on the CPU (busy) rather than off it (blocked or preempted). */
typedef struct
{
  gint64 expected, cpu_last;
  gint64 worst_us, worst_cpu_us;
  guint  n;
} Ticks;

static gboolean
start_tick (gpointer data)
{
  Ticks *t = data;
  gint64 now = g_get_monotonic_time (), cpu = thread_cpu_us ();

  t->n++;
  if (now - t->expected > t->worst_us)
    {
      t->worst_us = now - t->expected;
      t->worst_cpu_us = cpu - t->cpu_last;
    }
  t->expected = now + TICK_MS * 1000;
  t->cpu_last = cpu;
  return G_SOURCE_CONTINUE;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static GtkWidget *
find_type (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_type (c, type);
      if (found)
        return found;
    }
  return NULL;
}

/* The CLI's way: a trainer, no snapshots, no estimates; seconds to `steps`. */
static double
headless_seconds (CvlDataset *d, int images, gint64 steps)
{
  CvlTrainerConfig config;
  g_autoptr(CvlTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0;

  cvl_trainer_config_init (&config);
  config.epochs = 1;
  config.limit = images;
  config.snapshot_ms = -1;
  trainer = cvl_trainer_new (d->train_images, d->train_labels, d->test_images, d->test_labels,
                             &config, &error);
  if (trainer == NULL || !cvl_trainer_start (trainer, &error))
    g_error ("%s", error->message);
  t0 = g_get_monotonic_time ();
  while (cvl_trainer_get_step (trainer) < steps)
    cvl_trainer_wait_update (trainer, 1000);
  return (g_get_monotonic_time () - t0) / 1e6;
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  int images = 12800;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &dir, "MNIST folder (default: where Convolve finds it)",
      "DIR" },
    { "images", 0, 0, G_OPTION_ARG_INT, &images, "Training images per run (12800)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlDataset) data = NULL;
  GtkWidget *window;
  CvlTrainPage *page;
  BenchLateness *probe;
  GdkFrameClock *clock;
  Frames frames;
  Ticks ticks;
  guint ticks_id;
  gint64 steps, t0;
  double cli_s, cli2_s, page_s, p50, p99, max;
  guint n;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-train-page: %s\n", error->message);
      return 2;
    }
  if (dir == NULL && (dir = cvl_dataset_find ("mnist", &error)) == NULL)
    {
      g_printerr ("bench-train-page: %s\n", error->message);
      return 77;   /* skipped: no MNIST */
    }
  if ((data = cvl_dataset_load (dir, &error)) == NULL)
    {
      g_printerr ("bench-train-page: %s\n", error->message);
      return 1;
    }
  steps = (images + 127) / 128;

  cli_s = headless_seconds (data, images, steps);

  gtk_init ();
  adw_init ();
  window = GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  page = CVL_TRAIN_PAGE (find_type (window, CVL_TYPE_TRAIN_PAGE));
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find_type (window, ADW_TYPE_VIEW_STACK)),
                                         "train");
  cvl_train_page_set_folder (page, dir);
  while (!cvl_train_page_has_data (page))
    g_main_context_iteration (NULL, TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (page, "epochs")), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (page, "limit")), images);

  /* Let the window settle first: the first frame after Train is measured
   * on its own (the page turns its controls insensitive then). */
  settle (1000);
  clock = gtk_widget_get_frame_clock (window);
  frames = (Frames) { 0 };
  ticks = (Ticks) { g_get_monotonic_time () + TICK_MS * 1000, thread_cpu_us (), 0, 0, 0 };
  ticks_id = g_timeout_add (TICK_MS, start_tick, &ticks);
  probe = bench_lateness_start (TICK_MS);
  gtk_widget_activate_action (GTK_WIDGET (page), "train.start", NULL);
  g_signal_connect (clock, "before-paint", G_CALLBACK (frame_begins), &frames);
  g_signal_connect (clock, "after-paint", G_CALLBACK (frame_ends), &frames);
  t0 = g_get_monotonic_time ();
  while (g_get_monotonic_time () - t0 < START_WINDOW_US)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (ticks_id);
  g_signal_handlers_disconnect_by_data (clock, &frames);
  while (cvl_train_page_get_step (page) < steps)
    g_main_context_iteration (NULL, TRUE);
  page_s = (g_get_monotonic_time () - t0) / 1e6;
  n = bench_lateness_finish (probe, &p50, &p99, &max);
  gtk_window_destroy (GTK_WINDOW (window));   /* stops the page's trainer */
  while (g_main_context_iteration (NULL, FALSE));
  /* Headless again, after: neither side gets the cold start alone. */
  cli2_s = headless_seconds (data, images, steps);

  g_print ("%" G_GINT64_FORMAT " steps of 128 (%d images), 2 runs in this process\n", steps,
           images);
  g_print ("headless (as convolve-cli), before: %6.2f s  %6.0f images/s\n", cli_s,
           steps * 128 / cli_s);
  g_print ("Train page in a window:             %6.2f s  %6.0f images/s\n",
           page_s, steps * 128 / page_s);
  g_print ("headless (as convolve-cli), after:  %6.2f s  %6.0f images/s\n", cli2_s,
           steps * 128 / cli2_s);
  g_print ("page ÷ headless (mean of before and after): %.1f%%\n",
           100.0 * (cli_s + cli2_s) / 2 / page_s);
  g_print ("main loop lateness during the page's run (%u ticks of %d ms): "
           "p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
           n, TICK_MS, p50, p99, max);
  g_print ("first %.1f s after Train (%u ticks): lateness max %.1f ms "
           "(main thread on the CPU for %.1f ms of the %.1f ms before that tick); "
           "slowest frame (before-paint to after-paint) %.1f ms, %.1f ms of it on the CPU; "
           "first frame %.1f ms, %.1f ms on the CPU\n",
           START_WINDOW_US / 1e6, ticks.n, ticks.worst_us / 1000.0, ticks.worst_cpu_us / 1000.0,
           (ticks.worst_us + TICK_MS * 1000) / 1000.0, frames.max_us / 1000.0,
           frames.max_cpu_us / 1000.0, frames.first_us / 1000.0, frames.first_cpu_us / 1000.0);
  return 0;
}
