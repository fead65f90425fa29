/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlPlot's layout and drawing. The layout, ticks and decimated lines are a
 * cache for one size, rebuilt only after data, options or size change, so
 * 100k points draw about as cheaply as a few hundred. Colours come from the
 * theme (series colours from resources/style.css). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-plot-private.h"

#define PAD         8     /* px between text and the plot frame */
#define TICK_X_GAP  90.0  /* px a tick label wants along x */
#define TICK_Y_GAP  40.0

void
cvl_plot_geometry_free (Geometry *g)
{
  for (guint i = 0; i < g->n_series; i++)
    {
      g_free (g->raw[i].x);
      g_free (g->smooth[i].x);
    }
  g_free (g->raw);
  g_free (g->smooth);
  g_free (g);
}

/* On screen the text takes the widget's own colour; an export paints the
 * view background, so it takes the view's foreground (which stays right
 * even for a hidden widget whose computed style has not caught up with a
 * switch between light and dark). */
void
cvl_plot_palette_from_style (CvlPlot  *self,
                             gboolean  for_export,
                             Palette  *p)
{
  /* Series colours first from style.css, then libadwaita's own names. */
  static const char * const fallbacks[N_COLOURS] = {
    "accent_bg_color", "warning_color", "success_color", "error_color", "accent_color", "borders",
  };
  GtkStyleContext *style;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  style = gtk_widget_get_style_context (GTK_WIDGET (self));
  if (!for_export || !gtk_style_context_lookup_color (style, "view_fg_color", &p->fg))
    gtk_style_context_get_color (style, &p->fg);
  if (!gtk_style_context_lookup_color (style, "view_bg_color", &p->bg) &&
      !gtk_style_context_lookup_color (style, "theme_base_color", &p->bg))
    p->bg = (GdkRGBA) { 1 - p->fg.red, 1 - p->fg.green, 1 - p->fg.blue, 1 };
  if (!gtk_style_context_lookup_color (style, "popover_bg_color", &p->tooltip_bg))
    p->tooltip_bg = p->bg;
  for (int i = 0; i < N_COLOURS; i++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "plot_series_%d", i);
      if (!gtk_style_context_lookup_color (style, name, &p->series[i]) &&
          !gtk_style_context_lookup_color (style, fallbacks[i], &p->series[i]))
        p->series[i] = p->fg;
    }
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
format_seconds (char   *buf,
                gsize   size,
                double  s)
{
  gint64 t = (gint64) llround (fabs (s));
  const char *sign = s < -0.5 ? "−" : "";

  if (t >= 3600)
    g_snprintf (buf, size, "%s%" G_GINT64_FORMAT ":%02d:%02d", sign, t / 3600,
                (int) (t / 60 % 60), (int) (t % 60));
  else
    g_snprintf (buf, size, "%s%d:%02d", sign, (int) (t / 60), (int) (t % 60));
}

/* A tick label for v on a linear axis with ticks `step` apart. */
static void
format_tick (char   *buf,
             gsize   size,
             double  v,
             double  step)
{
  int decimals = (int) MAX (0, -floor (log10 (step) + 1e-9));

  if (fabs (v) < step * 1e-6)
    v = 0;
  if (step >= 1000 && fabs (fmod (v, 1000)) < 1e-9 && v != 0)
    g_snprintf (buf, size, "%gk", v / 1000);
  else if (fabs (v) >= 1e7 || decimals > 8)
    g_snprintf (buf, size, "%.3g", v);
  else
    g_snprintf (buf, size, "%.*f", decimals, v);
}

void
cvl_plot_format_x (CvlPlotXAxis  axis,
                   char         *buf,
                   gsize         size,
                   double        x)
{
  switch (axis)
    {
    case CVL_PLOT_X_STEP:
      g_snprintf (buf, size, "%.0f", x);
      break;
    case CVL_PLOT_X_EPOCH:
      g_snprintf (buf, size, "%.2f", x);
      break;
    case CVL_PLOT_X_TIME:
    default:
      format_seconds (buf, size, x);
      break;
    }
}

const char *
cvl_plot_x_axis_title (CvlPlotXAxis axis)
{
  return axis == CVL_PLOT_X_STEP ? _("Step") : axis == CVL_PLOT_X_EPOCH ? _("Epoch") : _("Time");
}

static double
map_value (CvlPlot *self,
           double   v)
{
  if (!isfinite (v))
    return NAN;
  if (self->log_scale)
    return v > 0 ? log10 (v) : NAN;
  return v;
}

static double
axis_to_x (const Geometry *g,
           double          x)
{
  return g->left + (x - g->x.lo) / (g->x.hi - g->x.lo) * (g->right - g->left);
}

static double
axis_to_y (const Geometry *g,
           double          y)
{
  return g->bottom - (y - g->y.lo) / (g->y.hi - g->y.lo) * (g->bottom - g->top);
}

static void
linear_ticks (Axis   *axis,
              double  target,
              double  step)
{
  double first;

  if (step <= 0)
    step = cvl_plot_nice_step (axis->hi - axis->lo, target);
  first = ceil (axis->lo / step - 1e-9) * step;
  axis->n_major = 0;
  for (int i = 0; axis->n_major < MAX_TICKS; i++)
    {
      double v = first + i * step;

      if (v > axis->hi + step * 1e-9)
        break;
      axis->major[axis->n_major] = v;
      format_tick (axis->labels[axis->n_major], sizeof axis->labels[0], v, step);
      axis->n_major++;
    }
}

static void
time_ticks (Axis   *axis,
            double  target)
{
  static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
                                  7200, 10800, 21600, 43200, 86400 };
  double raw = (axis->hi - axis->lo) / MAX (target, 1), step = 0;

  for (guint i = 0; i < G_N_ELEMENTS (steps) && step == 0; i++)
    if (steps[i] >= raw)
      step = steps[i];
  if (step == 0)
    step = ceil (raw / 86400) * 86400;
  linear_ticks (axis, target, step);
  for (int i = 0; i < axis->n_major; i++)
    format_seconds (axis->labels[i], sizeof axis->labels[0], axis->major[i]);
}

/* Decades 10ᵏ (every n-th when there are many), minor lines at 2…9 × 10ᵏ;
 * less than a decade gets 1-2-5 ticks in value space instead. */
static void
log_ticks (Axis   *axis,
           double  target)
{
  double decades = axis->hi - axis->lo;

  axis->n_major = axis->n_minor = 0;
  if (decades < 1)
    {
      double lo = pow (10, axis->lo), hi = pow (10, axis->hi);
      double step = cvl_plot_nice_step (hi - lo, MIN (target, 5));
      double first = ceil (lo / step - 1e-9) * step;

      for (int i = 0; axis->n_major < MAX_TICKS; i++)
        {
          double v = first + i * step;

          if (v > hi * (1 + 1e-9))
            break;
          if (v <= 0)
            continue;
          axis->major[axis->n_major] = log10 (v);
          format_tick (axis->labels[axis->n_major], sizeof axis->labels[0], v, step);
          axis->n_major++;
        }
      return;
    }

  {
    int every = MAX (1, (int) ceil (decades / MAX (target, 1)));
    int k0 = (int) ceil (axis->lo - 1e-9), k1 = (int) floor (axis->hi + 1e-9);

    for (int k = k0; k <= k1 && axis->n_major < MAX_TICKS; k++)
      if (k % every == 0)
        {
          axis->major[axis->n_major] = k;
          if (k >= -4 && k <= 5)
            g_snprintf (axis->labels[axis->n_major], sizeof axis->labels[0], "%g", pow (10, k));
          else
            g_snprintf (axis->labels[axis->n_major], sizeof axis->labels[0], "1e%d", k);
          axis->n_major++;
        }
    if (every == 1)
      for (int k = k0 - 1; k <= k1 && axis->n_minor + 8 <= MAX_MINOR; k++)
        for (int m = 2; m <= 9; m++)
          {
            double v = k + log10 (m);

            if (v > axis->lo && v < axis->hi)
              axis->minor[axis->n_minor++] = v;
          }
  }
}

static int
text_width (PangoLayout *layout,
            const char  *text)
{
  int w;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, NULL);
  return w;
}

static void
ensure_scratch (CvlPlot *self,
                gsize    n)
{
  if (n <= self->scratch_capacity)
    return;
  self->scratch_capacity = MAX (n, self->scratch_capacity * 2);
  g_free (self->scratch);
  self->scratch = g_new (double, 5 * self->scratch_capacity);
}

static void
build_polyline (CvlPlot        *self,
                const Geometry *g,
                const Series   *s,
                gboolean        smoothed,
                Polyline       *line)
{
  const CvlPlotPoint *pts = (const CvlPlotPoint *) s->points->data;
  gsize n = s->points->len;
  double *px, *py, *out;
  gsize m;

  /* pixels and the reduced line go to scratch space; only the reduced line,
   * a few points a column, is kept, so big series cost no big allocations */
  ensure_scratch (self, MAX (n, 1));
  px = self->scratch;
  py = px + self->scratch_capacity;
  out = py + self->scratch_capacity;
  for (gsize i = 0; i < n; i++)
    {
      double x = cvl_plot_point_x (&pts[i], self->x_axis);
      double y = map_value (self, smoothed ? pts[i].smoothed : pts[i].value);

      px[i] = axis_to_x (g, x);
      py[i] = isfinite (x) && !isnan (y) ? axis_to_y (g, y) : NAN;
    }
  /* a point a column or more: a filled band, much cheaper than a stroke */
  if (s->ordered[self->x_axis] && n > g->right - g->left)
    {
      double *top = out + self->scratch_capacity, *bottom = top + self->scratch_capacity;

      m = cvl_plot_band (px, py, n, out, top, bottom);
      line->x = g_new (double, 3 * MAX (m, 1));
      line->y = line->x + m;
      line->bottom = line->y + m;
      memcpy (line->y, top, m * sizeof (double));
      memcpy (line->bottom, bottom, m * sizeof (double));
    }
  else
    {
      double *y = out + self->scratch_capacity;

      m = cvl_plot_decimate (px, py, n, out, y);
      line->x = g_new (double, 2 * MAX (m, 1));
      line->y = line->x + m;
      memcpy (line->y, y, m * sizeof (double));
    }
  memcpy (line->x, out, m * sizeof (double));
  line->n = m;
}

/* The drawn data range; FALSE when there is nothing to show. */
static gboolean
data_range (CvlPlot *self,
            double  *x_lo,
            double  *x_hi,
            double  *y_lo,
            double  *y_hi)
{
  *x_lo = *y_lo = INFINITY;
  *x_hi = *y_hi = -INFINITY;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      double lo = self->log_scale ? s->lo_positive : s->lo;

      if (!isfinite (lo))
        continue;
      *x_lo = MIN (*x_lo, s->x_lo[self->x_axis]);
      *x_hi = MAX (*x_hi, s->x_hi[self->x_axis]);
      *y_lo = MIN (*y_lo, map_value (self, lo));
      *y_hi = MAX (*y_hi, map_value (self, s->hi));
    }
  return isfinite (*x_lo) && isfinite (*y_lo);
}

Geometry *
cvl_plot_ensure_geometry (CvlPlot *self,
                          int      width,
                          int      height)
{
  g_autoptr (PangoLayout) layout = NULL;
  Geometry *g = self->geometry;
  double x_lo, x_hi, y_lo, y_hi, pad;
  int line_h, label_w = 0;

  if (g != NULL && g->width == width && g->height == height)
    return g;
  g_clear_pointer (&self->geometry, cvl_plot_geometry_free);

  g = self->geometry = g_new0 (Geometry, 1);
  g->width = width;
  g->height = height;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0");
  pango_layout_get_pixel_size (layout, NULL, &line_h);

  g->top = PAD / 2;
  if (self->title != NULL && *self->title != '\0')
    {
      g->title_y = g->top;
      g->top += line_h + 2;
    }
  g->legend_y = g->top;
  if (self->series->len > 0)
    g->top += line_h + PAD;
  g->bottom = height - 2 * line_h - PAD;
  g->right = width - PAD - 12;

  g->has_data = data_range (self, &x_lo, &x_hi, &y_lo, &y_hi);
  if (!g->has_data)
    {
      g->left = PAD;
      return g;
    }

  if (x_hi - x_lo <= 0)
    {
      double half = self->x_axis == CVL_PLOT_X_EPOCH ? 0.5 : 1;
      x_lo -= half;
      x_hi += half;
    }
  if (y_hi - y_lo <= 0)
    {
      double half = self->log_scale ? 0.5 : MAX (fabs (y_hi) * 0.1, 1e-9);
      y_lo -= half;
      y_hi += half;
    }
  pad = (y_hi - y_lo) * 0.05;
  g->x.lo = x_lo;
  g->x.hi = x_hi;
  g->y.lo = y_lo - pad;
  g->y.hi = y_hi + pad;

  if (self->log_scale)
    log_ticks (&g->y, MAX (2, (g->bottom - g->top) / TICK_Y_GAP));
  else
    linear_ticks (&g->y, MAX (2, (g->bottom - g->top) / TICK_Y_GAP), 0);
  for (int i = 0; i < g->y.n_major; i++)
    label_w = MAX (label_w, text_width (layout, g->y.labels[i]));
  g->left = PAD + label_w + PAD;
  if (self->y_label != NULL && *self->y_label != '\0')
    g->left += line_h + 2;

  if (self->x_axis == CVL_PLOT_X_TIME)
    time_ticks (&g->x, MAX (2, (g->right - g->left) / TICK_X_GAP));
  else
    linear_ticks (&g->x, MAX (2, (g->right - g->left) / TICK_X_GAP),
                  self->x_axis == CVL_PLOT_X_STEP
                    ? MAX (1, cvl_plot_nice_step (x_hi - x_lo, (g->right - g->left) / TICK_X_GAP))
                    : 0);

  if (g->right - g->left < 4 || g->bottom - g->top < 4)
    {
      g->has_data = FALSE;
      return g;
    }

  g->n_series = self->series->len;
  g->raw = g_new0 (Polyline, g->n_series);
  g->smooth = g_new0 (Polyline, g->n_series);
  for (guint i = 0; i < g->n_series; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      build_polyline (self, g, s, FALSE, &g->raw[i]);
      if (s->smoothed && self->smoothing > 0)
        build_polyline (self, g, s, TRUE, &g->smooth[i]);
    }
  return g;
}

gboolean
cvl_plot_data_to_pixel (CvlPlot *self,
                        int      width,
                        int      height,
                        double   x,
                        double   y,
                        double  *px,
                        double  *py)
{
  Geometry *g;
  double v;

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);

  g = cvl_plot_ensure_geometry (self, width, height);
  v = map_value (self, y);
  if (!g->has_data || isnan (v))
    return FALSE;
  *px = axis_to_x (g, x);
  *py = axis_to_y (g, v);
  return TRUE;
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *c,
            double         alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha * alpha);
}

static void
show_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       align_x) /* 0 left, 0.5 centre, 1 right of x */
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, round (x - align_x * w), round (y));
  pango_cairo_show_layout (cr, layout);
}

/* A band of columns, widened by half the line width so it reads as a line. */
static void
fill_band (cairo_t        *cr,
           const Polyline *line,
           double          width)
{
  gsize start = 0;

  while (start < line->n)
    {
      gsize end = start;

      while (end < line->n && !isnan (line->x[end]))
        end++;
      if (end > start)
        {
          double half = width / 2;

          /* a lone column still spans one pixel across */
          cairo_move_to (cr, line->x[start] - (end - start == 1 ? 0.5 : 0), line->y[start] - half);
          for (gsize i = start + 1; i < end; i++)
            cairo_line_to (cr, line->x[i], line->y[i] - half);
          if (end - start == 1)
            cairo_line_to (cr, line->x[start] + 0.5, line->y[start] - half);
          for (gsize i = end; i-- > start;)
            cairo_line_to (cr, line->x[i] + (end - start == 1 ? 0.5 : 0), line->bottom[i] + half);
          if (end - start == 1)
            cairo_line_to (cr, line->x[start] - 0.5, line->bottom[start] + half);
          cairo_close_path (cr);
        }
      start = end + 1;
    }
  cairo_fill (cr);
}

static void
stroke_polyline (cairo_t        *cr,
                 const Polyline *line)
{
  gboolean pen_down = FALSE;

  if (line->bottom != NULL)
    {
      fill_band (cr, line, cairo_get_line_width (cr));
      return;
    }

  for (gsize i = 0; i < line->n; i++)
    {
      if (isnan (line->y[i]))
        pen_down = FALSE;
      else if (!pen_down)
        {
          /* a lone point still shows, as a dot */
          if (i + 1 >= line->n || isnan (line->y[i + 1]))
            {
              cairo_new_sub_path (cr);
              cairo_arc (cr, line->x[i], line->y[i], 1.5, 0, 2 * G_PI);
              continue;
            }
          cairo_move_to (cr, line->x[i], line->y[i]);
          pen_down = TRUE;
        }
      else
        cairo_line_to (cr, line->x[i], line->y[i]);
    }
  cairo_stroke (cr);
}

static void
draw_axes (CvlPlot        *self,
           cairo_t        *cr,
           PangoLayout    *layout,
           const Geometry *g,
           const Palette  *pal,
           int             line_h)
{
  cairo_set_line_width (cr, 1);

  /* grid: minor log lines faintest, then major lines */
  set_source (cr, &pal->fg, 0.05);
  for (int i = 0; i < g->y.n_minor; i++)
    {
      double y = round (axis_to_y (g, g->y.minor[i])) + 0.5;
      cairo_move_to (cr, g->left, y);
      cairo_line_to (cr, g->right, y);
    }
  cairo_stroke (cr);
  set_source (cr, &pal->fg, 0.12);
  for (int i = 0; i < g->y.n_major; i++)
    {
      double y = round (axis_to_y (g, g->y.major[i])) + 0.5;
      cairo_move_to (cr, g->left, y);
      cairo_line_to (cr, g->right, y);
    }
  for (int i = 0; i < g->x.n_major; i++)
    {
      double x = round (axis_to_x (g, g->x.major[i])) + 0.5;
      cairo_move_to (cr, x, g->top);
      cairo_line_to (cr, x, g->bottom);
    }
  cairo_stroke (cr);

  set_source (cr, &pal->fg, 0.35);
  cairo_move_to (cr, g->left + 0.5, g->top);
  cairo_line_to (cr, g->left + 0.5, g->bottom + 0.5);
  cairo_line_to (cr, g->right, g->bottom + 0.5);
  cairo_stroke (cr);

  set_source (cr, &pal->fg, 0.7);
  for (int i = 0; i < g->y.n_major; i++)
    show_text (cr, layout, g->y.labels[i], g->left - PAD,
               axis_to_y (g, g->y.major[i]) - line_h / 2.0, 1);
  for (int i = 0; i < g->x.n_major; i++)
    show_text (cr, layout, g->x.labels[i], axis_to_x (g, g->x.major[i]), g->bottom + 4, 0.5);
  show_text (cr, layout, cvl_plot_x_axis_title (self->x_axis), (g->left + g->right) / 2,
             g->bottom + 4 + line_h, 0.5);

  if (self->y_label != NULL && *self->y_label != '\0')
    {
      int w;

      pango_layout_set_text (layout, self->y_label, -1);
      pango_layout_get_pixel_size (layout, &w, NULL);
      cairo_save (cr);
      cairo_move_to (cr, 2, round ((g->top + g->bottom + w) / 2));
      cairo_rotate (cr, -G_PI / 2);
      pango_cairo_show_layout (cr, layout);
      cairo_restore (cr);
    }
}

static void
draw_series (CvlPlot        *self,
             cairo_t        *cr,
             const Geometry *g,
             const Palette  *pal)
{
  cairo_save (cr);
  cairo_rectangle (cr, g->left, g->top - 4, g->right - g->left + 4, g->bottom - g->top + 8);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  for (guint i = 0; i < g->n_series; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const GdkRGBA *c = &pal->series[i % N_COLOURS];
      gboolean faint = g->smooth[i].n > 0;

      /* round joins cost a lot on long zigzags; keep them for sparse lines */
      cairo_set_line_join (cr, g->raw[i].n * 4 > g->right - g->left ? CAIRO_LINE_JOIN_BEVEL
                                                                     : CAIRO_LINE_JOIN_ROUND);
      set_source (cr, c, faint ? 0.3 : 1);
      cairo_set_line_width (cr, faint ? 1 : 2);
      stroke_polyline (cr, &g->raw[i]);
      if (faint)
        {
          set_source (cr, c, 1);
          cairo_set_line_width (cr, 2);
          stroke_polyline (cr, &g->smooth[i]);
        }

      /* markers only while they stay apart */
      if (s->markers && s->points->len * 6 <= g->right - g->left)
        for (guint k = 0; k < s->points->len; k++)
          {
            const CvlPlotPoint *p = &g_array_index (s->points, CvlPlotPoint, k);
            double x = cvl_plot_point_x (p, self->x_axis), y = map_value (self, p->value);

            if (!isfinite (x) || isnan (y))
              continue;
            cairo_new_sub_path (cr);
            cairo_arc (cr, axis_to_x (g, x), axis_to_y (g, y), 3.5, 0, 2 * G_PI);
            set_source (cr, c, 1);
            cairo_fill_preserve (cr);
            set_source (cr, &pal->bg, 1);
            cairo_set_line_width (cr, 1.5);
            cairo_stroke (cr);
          }
    }
  cairo_restore (cr);
}

static void
draw_legend (CvlPlot        *self,
             cairo_t        *cr,
             PangoLayout    *layout,
             const Geometry *g,
             const Palette  *pal,
             int             line_h)
{
  double x = g->has_data ? g->left : PAD;

  if (self->title != NULL && *self->title != '\0')
    {
      PangoAttrList *bold = pango_attr_list_new ();

      pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, bold);
      set_source (cr, &pal->fg, 1);
      show_text (cr, layout, self->title, x, g->title_y, 0);
      pango_layout_set_attributes (layout, NULL);
      pango_attr_list_unref (bold);
    }

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      set_source (cr, &pal->series[i % N_COLOURS], 1);
      cairo_rectangle (cr, x, g->legend_y + line_h / 2.0 - 1.5, 14, 3);
      cairo_fill (cr);
      if (s->markers)
        {
          cairo_arc (cr, x + 7, g->legend_y + line_h / 2.0, 3.5, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      set_source (cr, &pal->fg, 0.8);
      show_text (cr, layout, s->name, x + 20, g->legend_y, 0);
      x += 20 + text_width (layout, s->name) + 16;
    }
}

static void
draw_hover (CvlPlot        *self,
            cairo_t        *cr,
            PangoLayout    *layout,
            const Geometry *g,
            const Palette  *pal,
            int             line_h)
{
  g_autofree guint *rows = g_new (guint, self->series->len + 1);
  g_auto (GStrv) cells = NULL;
  double cx = axis_to_x (g, self->hover_x), col_x[5] = { 0 }, box_w, box_h, bx, by;
  g_autofree double *ring_y = g_new (double, self->series->len + 1);
  guint n, n_rings = 0, cover_top = 0, cover_bottom = 0;

  if (cx < g->left - 1 || cx > g->right + 1)
    return;
  set_source (cr, &pal->fg, 0.5);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, round (cx) + 0.5, g->top);
  cairo_line_to (cr, round (cx) + 0.5, g->bottom);
  cairo_stroke (cr);

  /* the series' points under the cursor, ringed */
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const CvlPlotPoint *p;
      double y;
      guint k;

      if (!cvl_plot_find_nearest (self, i, self->hover_x, &k))
        continue;
      p = &g_array_index (s->points, CvlPlotPoint, k);
      y = map_value (self, p->smoothed);
      if (isnan (y))
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, axis_to_x (g, cvl_plot_point_x (p, self->x_axis)), axis_to_y (g, y), 4,
                 0, 2 * G_PI);
      set_source (cr, &pal->series[i % N_COLOURS], 1);
      cairo_fill_preserve (cr);
      set_source (cr, &pal->bg, 1);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      ring_y[n_rings++] = axis_to_y (g, y);
    }

  /* a table: swatch | name | value | raw | x, beside the cursor, at the top
   * unless it would hide more of the ringed points there than at the bottom */
  cells = cvl_plot_hover_cells (self, &n, rows);
  if (n == 0)
    return;
  col_x[0] = 18;
  for (int c = 0; c < 4; c++)
    {
      int w = 0;

      for (guint r = 0; r < n; r++)
        w = MAX (w, text_width (layout, cells[r * 4 + c]));
      col_x[c + 1] = col_x[c] + w + (w > 0 ? 12 : 0);
    }
  box_w = col_x[4] - 4;
  box_h = n * line_h + 8;
  bx = cx + 12 + box_w <= g->right ? cx + 12 : MAX (g->left, cx - 12 - box_w);
  for (guint i = 0; i < n_rings; i++)
    {
      cover_top += ring_y[i] <= g->top + 4 + box_h + 4;
      cover_bottom += ring_y[i] >= g->bottom - 4 - box_h - 4;
    }
  by = cover_top > cover_bottom ? g->bottom - 4 - box_h : g->top + 4;

  set_source (cr, &pal->tooltip_bg, 0.94);
  cairo_rectangle (cr, bx, by, box_w, box_h);
  cairo_fill_preserve (cr);
  set_source (cr, &pal->fg, 0.2);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  for (guint r = 0; r < n; r++)
    {
      double y = by + 4 + r * line_h;

      set_source (cr, &pal->series[rows[r] % N_COLOURS], 1);
      cairo_arc (cr, bx + 10, y + line_h / 2.0, 4, 0, 2 * G_PI);
      cairo_fill (cr);
      for (int c = 0; c < 4; c++)
        {
          set_source (cr, &pal->fg, c == 2 || c == 3 ? 0.6 : 1);
          show_text (cr, layout, cells[r * 4 + c], bx + col_x[c], y, 0);
        }
    }
}

void
cvl_plot_draw_full (CvlPlot  *self,
                    cairo_t  *cr,
                    int       width,
                    int       height,
                    gboolean  with_hover)
{
  g_autoptr (PangoLayout) layout = NULL;
  Geometry *g;
  Palette pal;
  int line_h;

  if (width <= 0 || height <= 0)
    return;
  g = cvl_plot_ensure_geometry (self, width, height);
  cvl_plot_palette_from_style (self, !with_hover, &pal);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0");
  pango_layout_get_pixel_size (layout, NULL, &line_h);

  draw_legend (self, cr, layout, g, &pal, line_h);
  if (!g->has_data)
    {
      gboolean any = FALSE, positive = FALSE;
      const char *message;

      for (guint i = 0; i < self->series->len; i++)
        {
          Series *s = g_ptr_array_index (self->series, i);

          any |= s->points->len > 0;
          positive |= isfinite (s->lo_positive);
        }
      if (!any)
        message = _("No data yet");
      else if (self->log_scale && !positive)
        message = _("No positive values to show on a log scale");
      else
        return; /* too small to draw */
      set_source (cr, &pal.fg, 0.45);
      show_text (cr, layout, message, width / 2.0, (g->top + height) / 2.0 - line_h / 2.0, 0.5);
      return;
    }
  draw_axes (self, cr, layout, g, &pal, line_h);
  draw_series (self, cr, g, &pal);
  if (with_hover && self->hovering)
    draw_hover (self, cr, layout, g, &pal, line_h);
}

void
cvl_plot_draw (CvlPlot *self,
               cairo_t *cr,
               int      width,
               int      height)
{
  g_return_if_fail (CVL_IS_PLOT (self));
  cvl_plot_draw_full (self, cr, width, height, TRUE);
}
