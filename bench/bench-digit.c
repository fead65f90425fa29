/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One digit as the Draw page classifies it: a 280×280 canvas through the
 * MNIST-style preprocessing and the bundled network (batch 1). Prints the
 * median and 90th percentile over many runs; the goal is under 1 ms. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "cvl-digit.h"
#include "cvl-net.h"

#define SIDE 280
#define RUNS 300

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int argc, char *argv[])
{
  const char *path = argc > 1 ? argv[1] : BUNDLED_MODEL_SOURCE;
  g_autoptr (GError) error = NULL;
  g_autoptr (CvlNet) net = cvl_net_load (path, &error);
  g_autofree float *canvas = g_new0 (float, SIDE * SIDE);
  float input[28 * 28], probs[10];
  double times[RUNS], pre[RUNS];
  CvlDigitInfo info;

  if (net == NULL)
    {
      g_printerr ("bench-digit: %s\n", error->message);
      return 1;
    }
  /* A thick "7" as a mouse would draw it. */
  for (int y = 50; y < 66; y++)
    for (int x = 70; x < 210; x++)
      canvas[y * SIDE + x] = 1;
  for (int y = 50; y < 240; y++)
    for (int t = -8; t < 8; t++)
      canvas[y * SIDE + 205 - (y - 50) * 90 / 190 + t] = 1;

  for (int r = 0; r < RUNS; r++)
    {
      gint64 t0 = g_get_monotonic_time (), t1;

      cvl_digit_preprocess (canvas, SIDE, SIDE, TRUE, input, &info, NULL);
      t1 = g_get_monotonic_time ();
      cvl_net_predict (net, input, 1, probs);
      times[r] = (g_get_monotonic_time () - t0) / 1000.0;
      pre[r] = (t1 - t0) / 1000.0;
    }
  int best = 0;

  for (int i = 1; i < 10; i++)
    if (probs[i] > probs[best])
      best = i;
  qsort (times, RUNS, sizeof (double), compare_double);
  qsort (pre, RUNS, sizeof (double), compare_double);
  g_print ("digit canvas=%dx%d runs=%d total_median_ms=%.3f total_p90_ms=%.3f "
           "preprocess_median_ms=%.3f predicted=%d p=%.3f\n",
           SIDE, SIDE, RUNS, times[RUNS / 2], times[RUNS * 9 / 10], pre[RUNS / 2],
           best, probs[best]);
  return 0;
}
