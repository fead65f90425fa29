/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How CvlPlot's cost grows with the number of points: a cached redraw (a
 * hover move), and a new point then a redraw (a training step; the axes
 * move, so the decimated lines are rebuilt), off-screen at 800 × 300. */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "cvl-plot.h"

static double
ms_per_call (CvlPlot *plot, cairo_t *cr, guint series, gboolean append, int reps, double *step)
{
  gint64 start = g_get_monotonic_time ();

  for (int r = 0; r < reps; r++)
    {
      if (append)
        {
          *step += 1;
          cvl_plot_append (plot, series, *step, *step / 1000, *step / 50, 1 / sqrt (*step));
        }
      cvl_plot_draw (plot, cr, 800, 300);
    }
  return (g_get_monotonic_time () - start) / 1000.0 / reps;
}

int
main (int argc, char *argv[])
{
  static const int sizes[] = { 1000, 10000, 100000, 1000000 };
  cairo_surface_t *surface;
  cairo_t *cr;

  gtk_init ();
  adw_init ();
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 300);
  cr = cairo_create (surface);

  g_print ("%10s %14s %16s %16s\n", "points", "append (ns)", "redraw (ms)", "step+draw (ms)");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GtkWidget *window = gtk_window_new ();
      CvlPlot *plot = CVL_PLOT (cvl_plot_new ());
      guint loss, acc;
      double step = 0, append_ns;
      gint64 start;

      gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (plot));
      loss = cvl_plot_add_series (plot, "loss", TRUE, FALSE);
      acc = cvl_plot_add_series (plot, "accuracy", TRUE, FALSE);
      cvl_plot_set_smoothing (plot, 0.9);
      start = g_get_monotonic_time ();
      for (int k = 0; k < sizes[i]; k++)
        {
          step += 1;
          cvl_plot_append (plot, loss, step, step / 1000, step / 50, 2.3 / sqrt (step) + 0.1 * sin (step));
          cvl_plot_append (plot, acc, step, step / 1000, step / 50, 1 - 1 / sqrt (step));
        }
      append_ns = (g_get_monotonic_time () - start) * 1000.0 / (2.0 * sizes[i]);
      cvl_plot_draw (plot, cr, 800, 300);
      g_print ("%10d %14.1f %16.3f %16.3f\n", 2 * sizes[i], append_ns,
               ms_per_call (plot, cr, loss, FALSE, 50, &step),
               ms_per_call (plot, cr, loss, TRUE, 20, &step));
      gtk_window_destroy (GTK_WINDOW (window));
    }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}
