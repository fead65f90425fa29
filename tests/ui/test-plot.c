/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlPlot: the EMA against hand-computed debiased values, ticks, the log
 * scale, decimation, off-screen rendering, the hover read-out, and PNG, SVG
 * and CSV export (including failures that must leave the old file alone).
 * Set CVL_TEST_SHOTS to a folder to keep PNGs of what was drawn. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

#include "cvl-plot-math.h"
#include "cvl-plot.h"
#include "ui-test-util.h"

/* A plot in an unshown window, so it takes the theme's colours and fonts
 * (an unrooted widget is styled without them). */
static CvlPlot *
new_plot (void)
{
  CvlPlot *plot = CVL_PLOT (cvl_plot_new ());

  window_with (GTK_WIDGET (plot), 400, 300, FALSE);
  return g_object_ref (plot);
}

static void
free_plot (CvlPlot *plot)
{
  destroy_window (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (plot))));
  g_assert_finalize_object (plot);
}

static void
save_shot (CvlPlot *plot, const char *name, int w, int h)
{
  const char *dir = g_getenv ("CVL_TEST_SHOTS");
  g_autoptr (GFile) file = NULL;
  g_autoptr (GError) error = NULL;

  if (dir == NULL)
    return;
  file = g_file_new_build_filename (dir, name, NULL);
  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, file, w, h, &error));
  g_assert_no_error (error);
}

/* An off-screen rendering on a transparent image. */
static cairo_surface_t *
render (CvlPlot *plot, int w, int h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);

  cvl_plot_draw (plot, cr, w, h);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static guint8
alpha_at (cairo_surface_t *s, int x, int y)
{
  const guint8 *row = cairo_image_surface_get_data (s) + y * cairo_image_surface_get_stride (s);
  return ((const guint32 *) row)[x] >> 24;
}

/* Strongest alpha within r pixels of (x, y). */
static guint8
alpha_near (cairo_surface_t *s, double x, double y, int r)
{
  guint8 best = 0;

  for (int dy = -r; dy <= r; dy++)
    for (int dx = -r; dx <= r; dx++)
      {
        int px = (int) floor (x) + dx, py = (int) floor (y) + dy;

        if (px >= 0 && py >= 0 && px < cairo_image_surface_get_width (s) &&
            py < cairo_image_surface_get_height (s))
          best = MAX (best, alpha_at (s, px, py));
      }
  return best;
}

static void
test_ema_matches_tensorboard (void)
{
  /* w = 0.6 worked by hand: last = 0.6·last + 0.4·v, shown last / (1 − 0.6ⁿ) */
  static const double values[] = { 1, 3, 2, 5, NAN, 4 };
  static const double expected[] = { 1.0, 2.25, 1.664 / 0.784, 2.9984 / 0.8704, NAN,
                                     3.39904 / 0.92224 };
  CvlPlot *plot = new_plot ();
  guint loss, acc;

  cvl_plot_set_smoothing (plot, 0.6);
  loss = cvl_plot_add_series (plot, "loss", TRUE, FALSE);
  acc = cvl_plot_add_series (plot, "accuracy", FALSE, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      cvl_plot_append (plot, loss, i, i / 10.0, i * 2.0, values[i]);
      cvl_plot_append (plot, acc, i, i / 10.0, i * 2.0, values[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      CvlPlotPoint p, q;

      g_assert_true (cvl_plot_get_point (plot, loss, i, &p));
      g_assert_true (cvl_plot_get_point (plot, acc, i, &q));
      if (isnan (expected[i]))
        g_assert_true (isnan (p.smoothed));
      else
        g_assert_cmpfloat_with_epsilon (p.smoothed, expected[i], 1e-12);
      /* smoothing does not apply to the accuracy series */
      if (!isnan (values[i]))
        g_assert_cmpfloat_with_epsilon (q.smoothed, values[i], 1e-12);
    }

  /* Changing the weight recomputes from the start, as a weighted mean. */
  cvl_plot_set_smoothing (plot, 0.9);
  {
    double num = 0, den = 0;
    CvlPlotPoint p;

    for (guint i = 0; i < 4; i++)
      {
        num = 0.9 * num + 0.1 * values[i];
        den = 0.9 * den + 0.1;
      }
    g_assert_true (cvl_plot_get_point (plot, loss, 3, &p));
    g_assert_cmpfloat_with_epsilon (p.smoothed, num / den, 1e-12);
  }

  cvl_plot_set_smoothing (plot, 0);
  for (guint i = 0; i < 4; i++)
    {
      CvlPlotPoint p;

      g_assert_true (cvl_plot_get_point (plot, loss, i, &p));
      g_assert_cmpfloat_with_epsilon (p.smoothed, values[i], 1e-12);
    }
  g_assert_false (cvl_plot_get_point (plot, loss, 6, &(CvlPlotPoint) { 0 }));
  free_plot (plot);
}

static void
test_nice_steps (void)
{
  g_assert_cmpfloat_with_epsilon (cvl_plot_nice_step (10, 5), 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (cvl_plot_nice_step (1, 4), 0.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (cvl_plot_nice_step (1000, 2), 500, 1e-9);
  g_assert_cmpfloat_with_epsilon (cvl_plot_nice_step (0.03, 3), 0.01, 1e-15);
  g_assert_cmpfloat_with_epsilon (cvl_plot_nice_step (90, 1), 100, 1e-9);
  /* degenerate ranges still give a usable step */
  g_assert_cmpfloat (cvl_plot_nice_step (0, 5), >, 0);
  g_assert_cmpfloat (cvl_plot_nice_step (NAN, 5), >, 0);
}

static void
test_log_scale_mapping (void)
{
  CvlPlot *plot = new_plot ();
  double x[4], y[4], dummy;
  guint s = cvl_plot_add_series (plot, "loss", FALSE, FALSE);

  for (int i = 0; i < 4; i++)
    cvl_plot_append (plot, s, i, i, i, pow (10, i - 2)); /* 0.01 … 10 */

  cvl_plot_set_log_scale (plot, TRUE);
  for (int i = 0; i < 4; i++)
    g_assert_true (cvl_plot_data_to_pixel (plot, 400, 300, i, pow (10, i - 2), &x[i], &y[i]));
  /* decades are evenly spaced and go up */
  g_assert_cmpfloat (y[1], <, y[0]);
  g_assert_cmpfloat_with_epsilon (y[0] - y[1], y[1] - y[2], 1e-6);
  g_assert_cmpfloat_with_epsilon (y[1] - y[2], y[2] - y[3], 1e-6);
  /* √10 lands half-way between 1 and 10 */
  g_assert_true (cvl_plot_data_to_pixel (plot, 400, 300, 2, sqrt (10), &dummy, &x[0]));
  g_assert_cmpfloat_with_epsilon (x[0], (y[2] + y[3]) / 2, 1e-6);
  /* non-positive values cannot be placed */
  g_assert_false (cvl_plot_data_to_pixel (plot, 400, 300, 1, 0, &dummy, &dummy));
  g_assert_false (cvl_plot_data_to_pixel (plot, 400, 300, 1, -1, &dummy, &dummy));

  /* linear: 0.01 and 0.1 are nearly on top of each other */
  cvl_plot_set_log_scale (plot, FALSE);
  g_assert_true (cvl_plot_data_to_pixel (plot, 400, 300, 0, 0.01, &dummy, &y[0]));
  g_assert_true (cvl_plot_data_to_pixel (plot, 400, 300, 1, 0.1, &dummy, &y[1]));
  g_assert_true (cvl_plot_data_to_pixel (plot, 400, 300, 3, 10, &dummy, &y[3]));
  g_assert_cmpfloat (fabs (y[0] - y[1]), <, 0.02 * fabs (y[0] - y[3]));

  /* zero and negative values are skipped on a log scale, not fatal */
  cvl_plot_append (plot, s, 4, 4, 4, 0);
  cvl_plot_append (plot, s, 5, 5, 5, -3);
  cvl_plot_append (plot, s, 6, 6, 6, 1);
  cvl_plot_set_log_scale (plot, TRUE);
  cairo_surface_destroy (render (plot, 400, 300));
  save_shot (plot, "plot-log.png", 480, 300);
  free_plot (plot);
}

static void
test_render_line (void)
{
  CvlPlot *plot = new_plot ();
  guint s = cvl_plot_add_series (plot, "loss", TRUE, FALSE);
  cairo_surface_t *image;
  double px, py, qx, qy;

  cvl_plot_set_title (plot, "Loss");
  /* a straight line from (0, 0) to (100, 1): no smoothing, so drawn bold */
  for (int i = 0; i <= 100; i++)
    cvl_plot_append (plot, s, i, i / 50.0, i * 0.5, i / 100.0);
  image = render (plot, 400, 300);

  g_assert_true (cvl_plot_data_to_pixel (plot, 400, 300, 50, 0.5, &px, &py));
  g_assert_cmpuint (alpha_near (image, px, py, 1), >, 200);
  /* far from the line (above it on the left) the plot is empty */
  g_assert_true (cvl_plot_data_to_pixel (plot, 400, 300, 12, 0.8, &qx, &qy));
  g_assert_cmpuint (alpha_near (image, qx, qy, 2), <, 80);
  cairo_surface_destroy (image);
  save_shot (plot, "plot-line.png", 480, 300);
  free_plot (plot);
}

static void
test_empty_message (void)
{
  CvlPlot *plot = new_plot ();
  cairo_surface_t *image;
  int inked = 0;

  cvl_plot_add_series (plot, "loss", TRUE, FALSE);
  image = render (plot, 300, 200);
  /* "No data yet" in the middle: ink there, none at the bottom corners */
  for (int y = 60; y < 160; y++)
    for (int x = 50; x < 250; x++)
      inked += alpha_at (image, x, y) > 0;
  g_assert_cmpint (inked, >, 20);
  g_assert_cmpuint (alpha_near (image, 5, 195, 3), ==, 0);
  cairo_surface_destroy (image);
  save_shot (plot, "plot-empty.png", 300, 200);

  /* only non-positive values on a log scale: said so, not a blank frame */
  cvl_plot_append (plot, 0, 1, 0, 0, -1);
  cvl_plot_append (plot, 0, 2, 0, 0, 0);
  cvl_plot_set_log_scale (plot, TRUE);
  image = render (plot, 300, 200);
  inked = 0;
  for (int y = 60; y < 160; y++)
    for (int x = 20; x < 280; x++)
      inked += alpha_at (image, x, y) > 0;
  g_assert_cmpint (inked, >, 20);
  cairo_surface_destroy (image);
  /* the linear scale plots them */
  cvl_plot_set_log_scale (plot, FALSE);
  {
    double px, py;

    g_assert_true (cvl_plot_data_to_pixel (plot, 300, 200, 1, -1, &px, &py));
  }
  free_plot (plot);
}

static void
test_decimate_keeps_extremes (void)
{
  enum { N = 10000 };
  g_autofree double *x = g_new (double, N), *y = g_new (double, N);
  g_autofree double *ox = g_new (double, N), *oy = g_new (double, N);
  double lo[100], hi[100];
  int per_column[100] = { 0 };
  GRand *rand = g_rand_new_with_seed (5);
  gsize n;

  for (int c = 0; c < 100; c++)
    {
      lo[c] = INFINITY;
      hi[c] = -INFINITY;
    }
  for (int i = 0; i < N; i++)
    {
      x[i] = i / 100.0; /* 100 points per pixel column */
      y[i] = g_rand_double_range (rand, 0, 300);
      lo[i / 100] = MIN (lo[i / 100], y[i]);
      hi[i / 100] = MAX (hi[i / 100], y[i]);
    }
  g_rand_free (rand);

  n = cvl_plot_decimate (x, y, N, ox, oy);
  g_assert_cmpuint (n, <=, 4 * 100);
  for (int c = 0; c < 100; c++)
    {
      gboolean saw_lo = FALSE, saw_hi = FALSE;

      for (gsize k = 0; k < n; k++)
        if ((int) floor (ox[k]) == c)
          {
            per_column[c]++;
            saw_lo |= oy[k] == lo[c];
            saw_hi |= oy[k] == hi[c];
          }
      g_assert_true (saw_lo && saw_hi);
      g_assert_cmpint (per_column[c], <=, 4);
    }
  /* the first and last points stay, so the line joins the neighbours */
  g_assert_cmpfloat (ox[0], ==, x[0]);
  g_assert_cmpfloat (ox[n - 1], ==, x[N - 1]);

  /* a NaN splits the line, once, and never starts it */
  {
    const double bx[] = { 0, 0.5, 1, 2, 3, 4 }, by[] = { NAN, 1, NAN, NAN, 2, 3 };
    double rx[6], ry[6];

    n = cvl_plot_decimate (bx, by, 6, rx, ry);
    g_assert_cmpuint (n, ==, 4);
    g_assert_cmpfloat (ry[0], ==, 1);
    g_assert_true (isnan (ry[1]));
    g_assert_cmpfloat (ry[2], ==, 2);
    g_assert_cmpfloat (ry[3], ==, 3);
  }
}

static void
test_band_covers_columns (void)
{
  /* columns 0 and 1 dense; a NaN; then columns 5 and 9, apart */
  const double px[] = { 0.1, 0.5, 0.9, 1.2, 1.7, 3.0, 5.5, 9.5 };
  const double py[] = { 10, 30, 20, 50, 40, NAN, 7, 70 };
  double x[8], top[8], bottom[8];
  gsize n = cvl_plot_band (px, py, 8, x, top, bottom);

  g_assert_cmpuint (n, ==, 5);
  /* column 0 spans 10…30 and reaches down to meet column 1 at (20 + 50) / 2 */
  g_assert_cmpfloat_with_epsilon (x[0], 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (top[0], 10, 1e-12);
  g_assert_cmpfloat_with_epsilon (bottom[0], 35, 1e-12);
  g_assert_cmpfloat_with_epsilon (top[1], 35, 1e-12);
  g_assert_cmpfloat_with_epsilon (bottom[1], 50, 1e-12);
  g_assert_true (isnan (x[2]));
  /* columns 5 and 9 are not adjacent: each keeps its own point; the band's
   * straight edges draw the line between them */
  g_assert_cmpfloat_with_epsilon (top[3], 7, 1e-12);
  g_assert_cmpfloat_with_epsilon (bottom[3], 7, 1e-12);
  g_assert_cmpfloat_with_epsilon (top[4], 70, 1e-12);
  g_assert_cmpfloat_with_epsilon (x[4], 9.5, 1e-12);
}

/* 200k noisy points and one spike: the spike must be drawn. */
static void
test_many_points_keep_spike (void)
{
  CvlPlot *plot = new_plot ();
  guint s = cvl_plot_add_series (plot, "loss", TRUE, FALSE);
  cairo_surface_t *image;
  double px, py;

  for (int i = 0; i < 200000; i++)
    cvl_plot_append (plot, s, i, i / 60000.0, i * 0.01,
                     2.3 * exp (-i / 40000.0) + 0.05 * sin (i * 0.37) + (i == 123457 ? 5 : 0));
  cvl_plot_set_smoothing (plot, 0.95);
  g_assert_cmpuint (cvl_plot_get_n_points (plot, s), ==, 200000);
  image = render (plot, 500, 300);
  g_assert_true (cvl_plot_data_to_pixel (plot, 500, 300, 123457, 5 + 2.3 * exp (-123457 / 40000.0),
                                         &px, &py));
  g_assert_cmpuint (alpha_near (image, px, py, 2), >, 0);
  cairo_surface_destroy (image);
  cvl_plot_set_log_scale (plot, TRUE);
  cvl_plot_set_x_axis (plot, CVL_PLOT_X_TIME);
  save_shot (plot, "plot-200k-log-time.png", 640, 320);
  free_plot (plot);
}

static void
test_hover_nearest (void)
{
  CvlPlot *plot = CVL_PLOT (cvl_plot_new ());
  GtkWidget *window;
  GtkEventController *motion;
  g_autofree char *text = NULL;
  guint loss, acc, index;
  double px, py, hx;
  int w, h;

  loss = cvl_plot_add_series (plot, "loss", TRUE, FALSE);
  acc = cvl_plot_add_series (plot, "test accuracy", FALSE, TRUE);
  for (int i = 0; i < 100; i++)
    cvl_plot_append (plot, loss, i * 10, i / 25.0, i * 3.0, 1.0 / (1 + i));
  for (int e = 1; e <= 4; e++)
    cvl_plot_append (plot, acc, e * 250, e, e * 75.0, 0.9 + e * 0.02);
  cvl_plot_set_smoothing (plot, 0.5);

  /* nearest lookups, in and out of range, on each x axis */
  g_assert_true (cvl_plot_find_nearest (plot, loss, 372, &index));
  g_assert_cmpuint (index, ==, 37);
  g_assert_true (cvl_plot_find_nearest (plot, loss, 376, &index));
  g_assert_cmpuint (index, ==, 38);
  g_assert_true (cvl_plot_find_nearest (plot, loss, -50, &index));
  g_assert_cmpuint (index, ==, 0);
  g_assert_true (cvl_plot_find_nearest (plot, loss, 1e9, &index));
  g_assert_cmpuint (index, ==, 99);
  g_assert_true (cvl_plot_find_nearest (plot, acc, 600, &index));
  g_assert_cmpuint (index, ==, 1);

  window = window_with (GTK_WIDGET (plot), 520, 320, TRUE);
  w = gtk_widget_get_width (GTK_WIDGET (plot));
  h = gtk_widget_get_height (GTK_WIDGET (plot));

  /* the pointer just right of step 370 snaps to it */
  motion = find_controller (GTK_WIDGET (plot), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_assert_true (cvl_plot_data_to_pixel (plot, w, h, 370, 0.5, &px, &py));
  g_signal_emit_by_name (motion, "motion", px + 1, py);
  g_assert_true (cvl_plot_get_hover (plot, &hx));
  g_assert_cmpfloat_with_epsilon (hx, 370, 1e-9);
  text = cvl_plot_dup_hover_text (plot);
  {
    CvlPlotPoint p;
    g_autofree char *raw = NULL, *shown = NULL;

    g_assert_true (cvl_plot_get_point (plot, loss, 37, &p));
    shown = g_strdup_printf ("loss: %.4g (raw %.4g), Step 370", p.smoothed, p.value);
    g_assert_nonnull (strstr (text, shown));
    /* the sparse series reports its own nearest point (epoch 1, step 250) */
    g_assert_nonnull (strstr (text, "test accuracy: 0.92, Step 250"));
  }
  {
    cairo_surface_t *image = render (plot, w, h);
    double cy;

    /* the cursor line runs down the plot at that x */
    g_assert_true (cvl_plot_data_to_pixel (plot, w, h, 370, 0.9, &px, &cy));
    g_assert_cmpuint (alpha_near (image, px, cy, 1), >, 0);
    cairo_surface_destroy (image);
  }
  {
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create (surface);
    const char *dir = g_getenv ("CVL_TEST_SHOTS");

    cvl_plot_draw (plot, cr, w, h);
    if (dir != NULL)
      {
        g_autofree char *path = g_build_filename (dir, "plot-hover.png", NULL);
        g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
      }
    cairo_destroy (cr);
    cairo_surface_destroy (surface);
  }

  /* at the right end the read-out flips to the cursor's left */
  g_assert_true (cvl_plot_data_to_pixel (plot, w, h, 1000, 0.5, &px, &py));
  g_signal_emit_by_name (motion, "motion", px, py);
  g_assert_true (cvl_plot_get_hover (plot, &hx));
  g_assert_cmpfloat_with_epsilon (hx, 1000, 1e-9); /* the accuracy's last point */
  {
    cairo_surface_t *image = render (plot, w, h);
    const char *dir = g_getenv ("CVL_TEST_SHOTS");

    if (dir != NULL)
      {
        g_autofree char *path = g_build_filename (dir, "plot-hover-right.png", NULL);
        g_assert_cmpint (cairo_surface_write_to_png (image, path), ==, CAIRO_STATUS_SUCCESS);
      }
    cairo_surface_destroy (image);
  }

  /* by time, the same pointer position means seconds, and the read-out says m:ss */
  cvl_plot_set_x_axis (plot, CVL_PLOT_X_TIME);
  g_assert_false (cvl_plot_get_hover (plot, NULL));
  g_assert_true (cvl_plot_data_to_pixel (plot, w, h, 66, 0.5, &px, &py));
  g_signal_emit_by_name (motion, "motion", px, py);
  g_assert_true (cvl_plot_get_hover (plot, &hx));
  g_assert_cmpfloat_with_epsilon (hx, 66, 1e-9);
  g_free (text);
  text = cvl_plot_dup_hover_text (plot);
  g_assert_nonnull (strstr (text, "Time 1:06"));

  /* leaving, or a point outside the frame, hides the cursor */
  g_signal_emit_by_name (motion, "leave");
  g_assert_false (cvl_plot_get_hover (plot, NULL));
  g_assert_null (cvl_plot_dup_hover_text (plot));
  g_signal_emit_by_name (motion, "motion", 1.0, 1.0);
  g_assert_false (cvl_plot_get_hover (plot, NULL));

  destroy_window (window);
}

static void
test_unordered_nearest (void)
{
  CvlPlot *plot = new_plot ();
  guint s = cvl_plot_add_series (plot, "x", FALSE, FALSE), index;

  cvl_plot_append (plot, s, 10, 0, 0, 1);
  cvl_plot_append (plot, s, 30, 0, 0, 2);
  cvl_plot_append (plot, s, 20, 0, 0, 3); /* out of order: linear search */
  g_assert_true (cvl_plot_find_nearest (plot, s, 21, &index));
  g_assert_cmpuint (index, ==, 2);
  cvl_plot_clear (plot);
  g_assert_cmpuint (cvl_plot_get_n_points (plot, s), ==, 0);
  g_assert_cmpuint (cvl_plot_get_n_series (plot), ==, 1);
  g_assert_false (cvl_plot_find_nearest (plot, s, 21, &index));
  free_plot (plot);
}

static char *
tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("cvl-plot-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_assert_cmpint (g_remove (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static CvlPlot *
sample_plot (void)
{
  CvlPlot *plot = new_plot ();
  guint loss = cvl_plot_add_series (plot, "loss, \"train\"", TRUE, FALSE);
  guint acc = cvl_plot_add_series (plot, "test accuracy", FALSE, TRUE);

  cvl_plot_set_smoothing (plot, 0.6);
  cvl_plot_set_title (plot, "Training");
  for (int i = 0; i < 50; i++)
    cvl_plot_append (plot, loss, i, i / 10.0, i * 0.7, 2.3 / (1 + i * 0.3) + 0.1 / 3);
  for (int e = 1; e <= 5; e++)
    cvl_plot_append (plot, acc, e * 10, e, e * 7.0, 0.5 + e / 10.0);
  return plot;
}

static void
test_csv_round_trip (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "plot.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  CvlPlot *plot = sample_plot ();
  guint row = 1;

  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_CSV, file, 0, 0, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "series,step,epoch,seconds,value,smoothed");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 50 + 5 + 1); /* ends with a newline */

  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < cvl_plot_get_n_points (plot, s); i++, row++)
      {
        const char *line = lines[row], *fields;
        g_auto (GStrv) cells = NULL;
        CvlPlotPoint p;
        double got[5];

        /* the comma and quotes in the first name are quoted, CSV-style */
        if (s == 0)
          {
            g_assert_true (g_str_has_prefix (line, "\"loss, \"\"train\"\"\","));
            fields = line + strlen ("\"loss, \"\"train\"\"\",");
          }
        else
          {
            g_assert_true (g_str_has_prefix (line, "test accuracy,"));
            fields = line + strlen ("test accuracy,");
          }
        cells = g_strsplit (fields, ",", -1);
        g_assert_cmpuint (g_strv_length (cells), ==, 5);
        for (int f = 0; f < 5; f++)
          got[f] = g_ascii_strtod (cells[f], NULL);
        g_assert_true (cvl_plot_get_point (plot, s, i, &p));
        g_assert_cmpfloat_with_epsilon (got[0], p.step, 1e-12);
        g_assert_cmpfloat_with_epsilon (got[1], p.epoch, 1e-12);
        g_assert_cmpfloat_with_epsilon (got[2], p.seconds, 1e-12);
        g_assert_cmpfloat_with_epsilon (got[3], p.value, 1e-15);
        g_assert_cmpfloat_with_epsilon (got[4], p.smoothed, 1e-15);
      }

  free_plot (plot);
  remove_dir (dir);
}

static void
test_png_svg_export (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *png_path = g_build_filename (dir, "plot.png", NULL);
  g_autofree char *svg_path = g_build_filename (dir, "plot.svg", NULL);
  g_autoptr (GFile) png = g_file_new_for_path (png_path);
  g_autoptr (GFile) svg = g_file_new_for_path (svg_path);
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  CvlPlot *plot = sample_plot ();
  gsize size;

  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, png, 640, 360, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png_path, &data, &size, NULL));
  /* signature, then IHDR with big-endian width and height */
  g_assert_cmpuint (size, >, 33);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (data + 16)), ==, 640);
  g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (data + 20)), ==, 360);
  {
    g_autoptr (GdkTexture) texture = gdk_texture_new_from_file (png, &error);

    g_assert_no_error (error);
    g_assert_cmpint (gdk_texture_get_width (texture), ==, 640);
  }
  g_clear_pointer (&data, g_free);

  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_SVG, svg, 640, 360, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg_path, &data, &size, NULL));
  g_assert_nonnull (strstr (data, "<svg"));
  g_assert_nonnull (strstr (data, "</svg>"));
  g_assert_nonnull (strstr (data, "width=\"640"));

  free_plot (plot);
  remove_dir (dir);
}

static void
export_done (GObject *object, GAsyncResult *res, gpointer data)
{
  GError **error = data;

  if (!cvl_plot_export_finish (CVL_PLOT (object), res, error))
    g_assert_nonnull (*error);
  g_object_set_data (object, "test-done", GINT_TO_POINTER (1));
}

/* The async exports (encoding and writing on a worker) write the same
 * files as the synchronous ones and report through the main loop. */
static void
test_async_export (void)
{
  g_autofree char *dir = tmp_dir ();
  const char *names[] = { "sync.csv", "async.csv", "sync.png", "async.png" };
  char *paths[4];
  GFile *files[4];
  g_autoptr (GError) error = NULL;
  CvlPlot *plot = sample_plot ();

  for (int i = 0; i < 4; i++)
    {
      paths[i] = g_build_filename (dir, names[i], NULL);
      files[i] = g_file_new_for_path (paths[i]);
    }
  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_CSV, files[0], 0, 0, &error));
  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, files[2], 320, 200, &error));
  for (int i = 1; i < 4; i += 2)
    {
      g_autofree char *a = NULL, *b = NULL;
      gsize na, nb;

      g_object_set_data (G_OBJECT (plot), "test-done", NULL);
      cvl_plot_export_async (plot, i == 1 ? CVL_PLOT_EXPORT_CSV : CVL_PLOT_EXPORT_PNG, files[i],
                             320, 200, NULL, export_done, &error);
      /* Done only through the main loop (the worker may already have
       * written the file: checking that it has not yet was a race). */
      g_assert_null (g_object_get_data (G_OBJECT (plot), "test-done"));
      while (g_object_get_data (G_OBJECT (plot), "test-done") == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (paths[i - 1], &a, &na, NULL));
      g_assert_true (g_file_get_contents (paths[i], &b, &nb, NULL));
      g_assert_cmpmem (a, na, b, nb);
    }
  /* Bad sizes fail through the callback, as the synchronous call does. */
  g_object_set_data (G_OBJECT (plot), "test-done", NULL);
  cvl_plot_export_async (plot, CVL_PLOT_EXPORT_PNG, files[3], 0, 10, NULL, export_done, &error);
  while (g_object_get_data (G_OBJECT (plot), "test-done") == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  for (int i = 0; i < 4; i++)
    {
      g_object_unref (files[i]);
      g_free (paths[i]);
    }
  /* The worker drops its reference to the last task, and with it the
   * task's to the plot, just after the callback ran: wait for that (the
   * window's reference and ours remain) before checking finalisation. */
  {
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (g_atomic_int_get (&G_OBJECT (plot)->ref_count) > 2)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  }
  free_plot (plot);
  remove_dir (dir);
}

static void
assert_contents (const char *path, const char *expected)
{
  g_autofree char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  g_assert_cmpstr (data, ==, expected);
}

static void
test_export_errors (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *old_path = g_build_filename (dir, "old.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "dir", "plot.png", NULL);
  g_autoptr (GFile) old = g_file_new_for_path (old_path);
  g_autoptr (GFile) nowhere = g_file_new_for_path (missing);
  g_autoptr (GError) error = NULL;
  CvlPlot *plot = sample_plot ();

  g_assert_true (g_file_set_contents (old_path, "old contents", -1, NULL));

  /* a folder that does not exist */
  g_assert_false (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, nowhere, 100, 100, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (cvl_plot_export (plot, CVL_PLOT_EXPORT_SVG, nowhere, 100, 100, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (cvl_plot_export (plot, CVL_PLOT_EXPORT_CSV, nowhere, 0, 0, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  /* drawing fails (no size; more than Cairo allows): the old file stays */
  g_assert_false (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, old, 0, 100, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, old, 40000, 10, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  assert_contents (old_path, "old contents");

  /* a folder we may not write to (root may write anywhere) */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
      g_assert_false (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, old, 100, 100, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_false (cvl_plot_export (plot, CVL_PLOT_EXPORT_CSV, old, 0, 0, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
      assert_contents (old_path, "old contents");
    }

  /* and a good export replaces it */
  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_CSV, old, 0, 0, &error));
  g_assert_no_error (error);
  {
    g_autofree char *data = NULL;

    g_assert_true (g_file_get_contents (old_path, &data, NULL, NULL));
    g_assert_true (g_str_has_prefix (data, "series,"));
  }

  free_plot (plot);
  remove_dir (dir);
}

static void
spin (void)
{
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* A noisy training run, as the Train page will show it, in the dark style:
 * the export takes the dark view background and light text. */
static void
test_dark_style (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "dark.png", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  CvlPlot *plot = new_plot ();
  guint loss = cvl_plot_add_series (plot, "train loss", TRUE, FALSE);
  guint acc = cvl_plot_add_series (plot, "test error", FALSE, TRUE);
  GRand *rand = g_rand_new_with_seed (1);
  cairo_surface_t *image;
  const guint8 *data;
  double brightest = 0;
  int stride;

  cvl_plot_set_title (plot, "MNIST convnet");
  cvl_plot_set_smoothing (plot, 0.8);
  cvl_plot_set_log_scale (plot, TRUE);
  for (int i = 1; i <= 4300; i++)
    cvl_plot_append (plot, loss, i, i / 430.0, i * 0.05,
                     (2.3 * exp (-i / 300.0) + 0.04) * exp (g_rand_double_range (rand, -0.6, 0.6)));
  for (int e = 1; e <= 10; e++)
    cvl_plot_append (plot, acc, e * 430, e, e * 21.5, 0.03 / e + 0.008);
  g_rand_free (rand);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  spin ();
  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, file, 640, 320, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  data = cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image);
  /* a dark corner, and light text somewhere */
  g_assert_cmpuint (data[0] + data[1] + data[2], <, 3 * 80);
  for (int y = 0; y < 320; y++)
    for (int x = 0; x < 640; x++)
      {
        const guint8 *p = data + y * stride + x * 4;
        brightest = MAX (brightest, MIN (MIN (p[0], p[1]), p[2]));
      }
  g_assert_cmpfloat (brightest, >, 180);
  cairo_surface_destroy (image);
  save_shot (plot, "plot-dark.png", 640, 320);

  /* back to light: dark text on light ground again */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  spin ();
  g_assert_true (cvl_plot_export (plot, CVL_PLOT_EXPORT_PNG, file, 640, 320, &error));
  image = cairo_image_surface_create_from_png (path);
  data = cairo_image_surface_get_data (image);
  g_assert_cmpuint (data[0] + data[1] + data[2], >, 3 * 200);
  {
    int darkest = 255;

    for (int y = 0; y < 320; y++)
      for (int x = 0; x < 640; x++)
        {
          const guint8 *p = data + y * stride + x * 4;
          darkest = MIN (darkest, MAX (MAX (p[0], p[1]), p[2]));
        }
    g_assert_cmpint (darkest, <, 80);
  }
  cairo_surface_destroy (image);
  save_shot (plot, "plot-light.png", 640, 320);
  free_plot (plot);
  remove_dir (dir);
}

static void
count_notify (GObject *object, GParamSpec *pspec, guint *count)
{
  (*count)++;
}

static void
test_properties (void)
{
  CvlPlot *plot = new_plot ();
  guint count = 0;
  CvlPlotXAxis axis;
  double smoothing;

  g_signal_connect (plot, "notify", G_CALLBACK (count_notify), &count);
  g_object_set (plot, "smoothing", 0.6, "log-scale", TRUE, "x-axis", CVL_PLOT_X_EPOCH,
                "title", "Loss", "y-label", "cross-entropy", NULL);
  g_assert_cmpuint (count, ==, 5);
  /* the same values again notify nothing */
  g_object_set (plot, "smoothing", 0.6, "log-scale", TRUE, "x-axis", CVL_PLOT_X_EPOCH,
                "title", "Loss", "y-label", "cross-entropy", NULL);
  g_assert_cmpuint (count, ==, 5);
  g_object_get (plot, "x-axis", &axis, "smoothing", &smoothing, NULL);
  g_assert_cmpint (axis, ==, CVL_PLOT_X_EPOCH);
  g_assert_cmpfloat_with_epsilon (smoothing, 0.6, 1e-12);
  cvl_plot_set_smoothing (plot, 5); /* clamped */
  g_assert_cmpfloat_with_epsilon (cvl_plot_get_smoothing (plot), 0.999, 1e-12);
  g_assert_true (cvl_plot_get_log_scale (plot));
  g_assert_cmpstr (cvl_plot_get_title (plot), ==, "Loss");
  g_assert_cmpstr (cvl_plot_get_y_label (plot), ==, "cross-entropy");
  g_signal_handlers_disconnect_by_func (plot, count_notify, &count);
  free_plot (plot);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* the app's colours for plot series, as the application would load them */
  gtk_css_provider_load_from_resource (css, "/io/github/convolve/Convolve/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add_func ("/ui/plot/ema-matches-tensorboard", test_ema_matches_tensorboard);
  g_test_add_func ("/ui/plot/nice-steps", test_nice_steps);
  g_test_add_func ("/ui/plot/log-scale-mapping", test_log_scale_mapping);
  g_test_add_func ("/ui/plot/render-line", test_render_line);
  g_test_add_func ("/ui/plot/empty-message", test_empty_message);
  g_test_add_func ("/ui/plot/decimate-keeps-extremes", test_decimate_keeps_extremes);
  g_test_add_func ("/ui/plot/band-covers-columns", test_band_covers_columns);
  g_test_add_func ("/ui/plot/many-points-keep-spike", test_many_points_keep_spike);
  g_test_add_func ("/ui/plot/hover-nearest", test_hover_nearest);
  g_test_add_func ("/ui/plot/unordered-nearest", test_unordered_nearest);
  g_test_add_func ("/ui/plot/csv-round-trip", test_csv_round_trip);
  g_test_add_func ("/ui/plot/png-svg-export", test_png_svg_export);
  g_test_add_func ("/ui/plot/async-export", test_async_export);
  g_test_add_func ("/ui/plot/export-errors", test_export_errors);
  g_test_add_func ("/ui/plot/properties", test_properties);
  g_test_add_func ("/ui/plot/dark-style", test_dark_style);

  return g_test_run ();
}
