/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plot's pure numeric helpers, shared with its tests: EMA smoothing,
 * axis ticks and the per-pixel-column decimation. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TensorBoard's debiased EMA: last ← w·last + (1 − w)·v over the finite
 * values, smoothed = last / (1 − wⁿ) after n of them; values that are not
 * finite pass through and do not advance it. */
typedef struct
{
  double weight;
  double last;
  double weight_pow; /* wⁿ */
} CvlEma;

void   cvl_ema_init (CvlEma *ema,
                     double  weight);
double cvl_ema_next (CvlEma *ema,
                     double  value);

/* A 1-2-5 step near range / target (> 0). */
double cvl_plot_nice_step (double range,
                           double target);

/* Reduces a polyline in pixel coordinates [n] to the first, lowest, highest
 * and last point of each run of points in one pixel column (in their
 * original order), so drawing costs O(width) whatever n. A NaN y breaks the
 * line; one NaN point marks each break in the output. `out_x`, `out_y` hold
 * at least n points. Returns the number written. */
gsize  cvl_plot_decimate  (const double *px,
                           const double *py,
                           gsize         n,
                           double       *out_x,
                           double       *out_y);

G_END_DECLS
