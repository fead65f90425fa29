/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The numbers behind CvlPlot, kept free of GTK so tests can check them
 * against hand-computed values: EMA smoothing, tick steps, decimation. */
#include "config.h"

#include <math.h>

#include "cvl-plot-private.h"

void
cvl_ema_init (CvlEma *ema,
              double  weight)
{
  ema->weight = weight;
  ema->last = 0;
  ema->weight_pow = 1;
}

double
cvl_ema_next (CvlEma *ema,
              double  value)
{
  if (!isfinite (value))
    return value;
  ema->last = ema->last * ema->weight + (1 - ema->weight) * value;
  ema->weight_pow *= ema->weight;
  /* weight 0: weight_pow is 0 and this is value itself */
  return ema->last / (1 - ema->weight_pow);
}

double
cvl_plot_nice_step (double range,
                    double target)
{
  double raw = range / MAX (target, 1), mag, norm;

  if (!(raw > 0) || !isfinite (raw))
    return 1;
  mag = pow (10, floor (log10 (raw)));
  norm = raw / mag;
  if (norm < 1.5)
    return mag;
  if (norm < 3.5)
    return 2 * mag;
  if (norm < 7.5)
    return 5 * mag;
  return 10 * mag;
}

gsize
cvl_plot_decimate (const double *px,
                   const double *py,
                   gsize         n,
                   double       *out_x,
                   double       *out_y)
{
  gsize out = 0, i = 0;

  while (i < n)
    {
      gsize first = i, lo = i, hi = i, idx[4];
      int n_idx = 0;
      double column;

      if (isnan (py[i]))
        {
          /* one marker per break, none before the first point */
          if (out > 0 && !isnan (out_y[out - 1]))
            {
              out_x[out] = NAN;
              out_y[out++] = NAN;
            }
          i++;
          continue;
        }

      column = floor (px[i]);
      for (i++; i < n && !isnan (py[i]) && floor (px[i]) == column; i++)
        {
          if (py[i] < py[lo])
            lo = i;
          if (py[i] > py[hi])
            hi = i;
        }

      /* first, min, max, last in index order, each once */
      idx[n_idx++] = first;
      if (MIN (lo, hi) != first)
        idx[n_idx++] = MIN (lo, hi);
      if (MAX (lo, hi) != idx[n_idx - 1])
        idx[n_idx++] = MAX (lo, hi);
      if (i - 1 != idx[n_idx - 1])
        idx[n_idx++] = i - 1;
      for (int k = 0; k < n_idx; k++)
        {
          out_x[out] = px[idx[k]];
          out_y[out++] = py[idx[k]];
        }
    }

  return out;
}
