/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How late the main loop runs a periodic timer: the responsiveness figure
 * the UI benchmarks print while heavy work runs beside the window. */
#pragma once

#include <glib.h>

typedef struct _BenchLateness BenchLateness;

/* Starts a `tick_ms` timer on the default main context. */
BenchLateness *bench_lateness_start  (guint          tick_ms);
/* Stops it and frees it; returns the number of ticks seen and their
 * lateness in ms at the median, the 99th percentile and the worst. */
guint          bench_lateness_finish (BenchLateness *probe,
                                      double        *p50,
                                      double        *p99,
                                      double        *max);
