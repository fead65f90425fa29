/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A main-loop timer that records how late each of its ticks fires, for
 * bench-ui-latency and bench-train-page. */
#include "config.h"

#include "bench-lateness.h"

struct _BenchLateness
{
  guint   tick_ms, source;
  gint64  expected;
  GArray *lateness_ms;   /* double */
};

static gboolean
tick (gpointer data)
{
  BenchLateness *probe = data;
  gint64 now = g_get_monotonic_time ();
  double late = (now - probe->expected) / 1000.0;

  g_array_append_val (probe->lateness_ms, late);
  probe->expected = now + probe->tick_ms * 1000;
  return G_SOURCE_CONTINUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

BenchLateness *
bench_lateness_start (guint tick_ms)
{
  BenchLateness *probe = g_new0 (BenchLateness, 1);

  probe->tick_ms = tick_ms;
  probe->lateness_ms = g_array_new (FALSE, FALSE, sizeof (double));
  probe->expected = g_get_monotonic_time () + tick_ms * 1000;
  probe->source = g_timeout_add (tick_ms, tick, probe);
  return probe;
}

guint
bench_lateness_finish (BenchLateness *probe,
                       double        *p50,
                       double        *p99,
                       double        *max)
{
  GArray *late = probe->lateness_ms;
  guint n = late->len;

  g_source_remove (probe->source);
  g_array_sort (late, compare_double);
  *p50 = n > 0 ? g_array_index (late, double, n / 2) : 0;
  *p99 = n > 0 ? g_array_index (late, double, MIN (n - 1, n * 99 / 100)) : 0;
  *max = n > 0 ? g_array_index (late, double, n - 1) : 0;
  g_array_unref (late);
  g_free (probe);
  return n;
}
