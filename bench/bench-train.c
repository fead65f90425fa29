/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times the lecture network: training steps (batch 128, Adam) in steady
 * state and the epoch they project to, batch-1 inference latency, batch-1000
 * throughput and peak RSS, to set beside ../shared/bench/torch_mnist.py.
 * Usage: bench-train [--data DIR] [--threads N] [--steps N] [--batch N] */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cvl-dataset.h"
#include "cvl-net-train.h"

#define PIXELS 784

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
peak_rss_mib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;   /* kilobytes on Linux */
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  int threads = 2, steps = 40, batch = 128;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &dir, "MNIST folder (default: where Convolve "
      "finds it; random images if none)", "DIR" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Timed training steps (40)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Batch size (128)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlDataset) data = NULL;
  g_autoptr(CvlNet) net = NULL;
  g_autoptr(CvlNetWorkspace) ws = NULL;
  gsize n_params = cvl_net_n_params ();
  float *images, *grads, *m, *v, *avg, probs[10];
  guint8 *labels;
  int n_images;
  const guint8 *pixels, *lab;
  g_autofree guint8 *random_pixels = NULL, *random_labels = NULL;
  double t0, dt, ips, lat[1000];
  static float probs1000[1000 * 10];
  CvlRng rng;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-train: %s\n", error->message);
      return 2;
    }
  if (dir == NULL)
    dir = cvl_dataset_find ("mnist", NULL);
  if (dir != NULL && (data = cvl_dataset_load (dir, &error)) == NULL)
    {
      g_printerr ("bench-train: %s\n", error->message);
      return 1;
    }
  cvl_rng_init (&rng, 1);
  if (data != NULL)
    {
      n_images = data->train_images->count;
      pixels = data->train_images->pixels;
      lab = data->train_labels->labels;
      printf ("data: %s (%d training images)\n", dir, n_images);
    }
  else
    {
      n_images = 4096;
      random_pixels = g_malloc ((gsize) n_images * PIXELS);
      random_labels = g_malloc (n_images);
      for (gsize i = 0; i < (gsize) n_images * PIXELS; i++)
        random_pixels[i] = cvl_rng_below (&rng, 256);
      for (int i = 0; i < n_images; i++)
        random_labels[i] = cvl_rng_below (&rng, 10);
      pixels = random_pixels;
      lab = random_labels;
      printf ("data: random images (no MNIST found)\n");
    }
  printf ("threads %d, batch %d, OPENBLAS_CORETYPE=%s\n", threads, batch,
          g_getenv ("OPENBLAS_CORETYPE") ? g_getenv ("OPENBLAS_CORETYPE") : "(unset)");

  cvl_nn_set_threads (threads);
  net = cvl_net_new (1);
  ws = cvl_net_workspace_new (batch, TRUE, &error);
  images = cvl_nn_alloc ((gsize) MAX (batch, 1000) * PIXELS, NULL);
  labels = g_malloc (MAX (batch, 1000));
  grads = cvl_nn_alloc (n_params, NULL);
  m = cvl_nn_alloc (n_params, NULL);
  v = cvl_nn_alloc (n_params, NULL);
  avg = cvl_nn_alloc (n_params, NULL);
  memcpy (avg, cvl_net_peek_params (net), n_params * sizeof (float));
  memset (m, 0, n_params * sizeof (float));
  memset (v, 0, n_params * sizeof (float));
  if (ws == NULL)
    {
      g_printerr ("bench-train: %s\n", error->message);
      return 1;
    }

  /* Training: 3 warm-up steps (first touch of every buffer), then timed. */
  t0 = g_get_monotonic_time ();
  for (int s = 0; s < steps + 3; s++)
    {
      int correct;

      if (s == 3)
        t0 = g_get_monotonic_time ();
      for (int i = 0; i < batch; i++)
        {
          int k = cvl_rng_below (&rng, n_images);

          for (int p = 0; p < PIXELS; p++)
            images[(gsize) i * PIXELS + p] = pixels[(gsize) k * PIXELS + p] / 255.f;
          labels[i] = lab[k];
        }
      cvl_net_train_batch (net, ws, images, labels, batch, 0.75f, &rng, grads, &correct);
      cvl_nn_adam_step (cvl_net_get_params (net), grads, m, v, n_params, 1e-3, 0.9, 0.999,
                        1e-8, s + 1);
      /* The trainer's moving average of the weights (on by default). */
      cvl_nn_average_step (avg, cvl_net_peek_params (net), n_params, 0.999f);
    }
  dt = (g_get_monotonic_time () - t0) * 1e-6;
  ips = steps * batch / dt;
  printf ("train: %.1f ms/step, %.0f img/s, 60000-image epoch ≈ %.1f s "
          "(%.0f GFLOP/s at 83.3 MFLOP/image)\n",
          1e3 * dt / steps, ips, 60000 / ips, ips * 83.3e-3);
  printf ("peak RSS while training: %.0f MiB\n", peak_rss_mib ());
  t0 = g_get_monotonic_time ();
  for (int s = 0; s < 20; s++)
    cvl_nn_average_step (avg, cvl_net_peek_params (net), n_params, 0.999f);
  printf ("  of which the weights' moving average: %.2f ms/step\n",
          (g_get_monotonic_time () - t0) * 1e-3 / 20);

  /* The forward pass alone (a third of the FLOPs), for the breakdown. */
  t0 = g_get_monotonic_time ();
  for (int s = 0; s < steps; s++)
    cvl_net_forward (net, ws, images, batch, 1.f, NULL);
  dt = (g_get_monotonic_time () - t0) * 1e-6;
  printf ("forward only, batch %d: %.1f ms (%.0f GFLOP/s at 27.8 MFLOP/image)\n",
          batch, 1e3 * dt / steps, steps * batch / dt * 27.8e-3);
  g_clear_pointer (&ws, cvl_net_workspace_free);

  /* Batch-1000 inference (as torch_mnist.py's throughput) through the public
   * predict, which runs it in chunks of 256 (second run: steady state). */
  for (int i = 0; i < 1000; i++)
    memcpy (images + (gsize) i * PIXELS, images + (gsize) (i % batch) * PIXELS,
            PIXELS * sizeof (float));
  for (int r = 0; r < 2; r++)
    {
      t0 = g_get_monotonic_time ();
      cvl_net_predict (net, images, 1000, probs1000);
      dt = (g_get_monotonic_time () - t0) * 1e-6;
    }
  printf ("inference, batch 1000: %.1f ms, %.0f img/s\n", dt * 1e3, 1000 / dt);

  /* Batch-1 latency through the public predict (what the Draw page calls). */
  for (int i = 0; i < 100; i++)
    cvl_net_predict (net, images + (gsize) (i % batch) * PIXELS, 1, probs);
  for (int i = 0; i < 1000; i++)
    {
      t0 = g_get_monotonic_time ();
      cvl_net_predict (net, images + (gsize) (i % batch) * PIXELS, 1, probs);
      lat[i] = (g_get_monotonic_time () - t0) * 1e-3;
    }
  qsort (lat, 1000, sizeof (double), compare_double);
  printf ("inference, batch 1: median %.3f ms, p90 %.3f ms\n", lat[500], lat[900]);

  /* The same with the bundled (trained) model, which the Draw page runs:
   * how many of the fc inputs are 0 depends on the weights. */
  {
    g_autoptr(CvlNet) bundled = cvl_net_load (BUNDLED_MODEL_SOURCE, NULL);

    if (bundled != NULL)
      {
        for (int i = 0; i < 100; i++)
          cvl_net_predict (bundled, images + (gsize) (i % batch) * PIXELS, 1, probs);
        for (int i = 0; i < 1000; i++)
          {
            t0 = g_get_monotonic_time ();
            cvl_net_predict (bundled, images + (gsize) (i % batch) * PIXELS, 1, probs);
            lat[i] = (g_get_monotonic_time () - t0) * 1e-3;
          }
        qsort (lat, 1000, sizeof (double), compare_double);
        printf ("inference, batch 1, bundled model: median %.3f ms, p90 %.3f ms\n", lat[500],
                lat[900]);
      }
  }
  printf ("peak RSS with batch-1000 inference: %.0f MiB\n", peak_rss_mib ());

  cvl_nn_free (images);
  cvl_nn_free (grads);
  cvl_nn_free (m);
  cvl_nn_free (v);
  cvl_nn_free (avg);
  g_free (labels);
  return 0;
}
