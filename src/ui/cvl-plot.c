/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlPlot keeps the series (and their EMA, updated as points arrive); the
 * layout, ticks and decimated polylines are a cache for one size, rebuilt
 * only after data, options or size change, so 100k points draw as cheaply
 * as a few hundred. Colours come from the theme (see resources/style.css). */
#include "config.h"

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cvl-plot-private.h"
#include "cvl-plot.h"

#define N_COLOURS   6
#define MAX_TICKS   64
#define MAX_MINOR   128
#define PAD         8     /* px between text and the plot frame */
#define TICK_X_GAP  90.0  /* px a tick label wants along x */
#define TICK_Y_GAP  40.0

typedef struct
{
  char         *name;
  gboolean      smoothed;
  gboolean      markers;
  GArray       *points;      /* CvlPlotPoint */
  CvlEma        ema;
  gboolean      ordered[3];  /* x never decreased, per CvlPlotXAxis */
  /* value ranges of the finite points, for the y axis */
  double        lo, hi, lo_positive;
  double        x_lo[3], x_hi[3];
} Series;

typedef struct
{
  double lo, hi;              /* drawn range; log10 of the values on a log axis */
  int    n_major, n_minor;
  double major[MAX_TICKS];    /* in the units of lo and hi */
  double minor[MAX_MINOR];
  char   labels[MAX_TICKS][24];
} Axis;

typedef struct
{
  gsize   n;
  double *x, *y;              /* pixels; NaN breaks the line */
} Polyline;

/* Everything draw() needs for one size; dropped whenever it would change. */
typedef struct
{
  int       width, height;
  gboolean  has_data;
  double    left, top, right, bottom;  /* the plot frame */
  double    legend_y, title_y;
  Axis      x, y;
  Polyline *raw, *smooth;              /* [n_series] */
  guint     n_series;
} Geometry;

typedef struct
{
  GdkRGBA fg, bg, tooltip_bg, series[N_COLOURS];
} Palette;

struct _CvlPlot
{
  GtkWidget     parent_instance;

  GPtrArray    *series;       /* Series* */
  double        smoothing;
  gboolean      log_scale;
  CvlPlotXAxis  x_axis;
  char         *title;
  char         *y_label;

  Geometry     *geometry;     /* NULL when stale */
  gboolean      hovering;
  double        hover_x;      /* data x of the point under the cursor */
  double       *scratch;      /* [2, capacity] pixel coordinates before decimation */
  gsize         scratch_capacity;
};

enum { PROP_0, PROP_SMOOTHING, PROP_LOG_SCALE, PROP_X_AXIS, PROP_TITLE, PROP_Y_LABEL, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (CvlPlotXAxis, cvl_plot_x_axis,
                    G_DEFINE_ENUM_VALUE (CVL_PLOT_X_STEP, "step"),
                    G_DEFINE_ENUM_VALUE (CVL_PLOT_X_EPOCH, "epoch"),
                    G_DEFINE_ENUM_VALUE (CVL_PLOT_X_TIME, "time"))

G_DEFINE_FINAL_TYPE (CvlPlot, cvl_plot, GTK_TYPE_WIDGET)

static void
series_free (gpointer data)
{
  Series *s = data;

  g_free (s->name);
  g_array_unref (s->points);
  g_free (s);
}

static void
series_reset (Series *s,
              double  smoothing)
{
  g_array_set_size (s->points, 0);
  cvl_ema_init (&s->ema, s->smoothed ? smoothing : 0);
  s->lo = s->lo_positive = INFINITY;
  s->hi = -INFINITY;
  for (int a = 0; a < 3; a++)
    {
      s->ordered[a] = TRUE;
      s->x_lo[a] = INFINITY;
      s->x_hi[a] = -INFINITY;
    }
}

static inline double
point_x (const CvlPlotPoint *p,
         CvlPlotXAxis        axis)
{
  return axis == CVL_PLOT_X_STEP ? p->step : axis == CVL_PLOT_X_EPOCH ? p->epoch : p->seconds;
}

static void
geometry_free (Geometry *g)
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

/* Data, options or style changed: the cached layout is stale. */
static void
invalidate (CvlPlot *self)
{
  g_clear_pointer (&self->geometry, geometry_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- Palette ---------------------------------------------------------- */

static void
palette_from_style (CvlPlot *self,
                    Palette *p)
{
  /* Series colours first from style.css, then libadwaita's own names. */
  static const char * const fallbacks[N_COLOURS] = {
    "accent_bg_color", "warning_color", "success_color", "error_color", "accent_color", "borders",
  };
  GtkStyleContext *style;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  style = gtk_widget_get_style_context (GTK_WIDGET (self));
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

/* ---- Text --------------------------------------------------------------- */

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

static void
format_x (CvlPlotXAxis  axis,
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

static const char *
x_axis_title (CvlPlotXAxis axis)
{
  return axis == CVL_PLOT_X_STEP ? _("Step") : axis == CVL_PLOT_X_EPOCH ? _("Epoch") : _("Time");
}

/* ---- Data --------------------------------------------------------------- */

guint
cvl_plot_add_series (CvlPlot    *self,
                     const char *name,
                     gboolean    smoothed,
                     gboolean    markers)
{
  Series *s;

  g_return_val_if_fail (CVL_IS_PLOT (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  s = g_new0 (Series, 1);
  s->name = g_strdup (name);
  s->smoothed = smoothed;
  s->markers = markers;
  s->points = g_array_new (FALSE, FALSE, sizeof (CvlPlotPoint));
  series_reset (s, self->smoothing);
  g_ptr_array_add (self->series, s);
  invalidate (self);
  return self->series->len - 1;
}

guint
cvl_plot_get_n_series (CvlPlot *self)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), 0);
  return self->series->len;
}

const char *
cvl_plot_get_series_name (CvlPlot *self,
                          guint    series)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), NULL);
  g_return_val_if_fail (series < self->series->len, NULL);
  return ((Series *) g_ptr_array_index (self->series, series))->name;
}

void
cvl_plot_append (CvlPlot *self,
                 guint    series,
                 double   step,
                 double   epoch,
                 double   seconds,
                 double   value)
{
  CvlPlotPoint p = { step, epoch, seconds, value, value };
  Series *s;

  g_return_if_fail (CVL_IS_PLOT (self));
  g_return_if_fail (series < self->series->len);

  s = g_ptr_array_index (self->series, series);
  p.smoothed = cvl_ema_next (&s->ema, value);
  for (int a = 0; a < 3; a++)
    {
      double x = point_x (&p, a);

      if (s->points->len > 0 && x < point_x (&g_array_index (s->points, CvlPlotPoint,
                                                             s->points->len - 1), a))
        s->ordered[a] = FALSE;
      if (isfinite (x))
        {
          s->x_lo[a] = MIN (s->x_lo[a], x);
          s->x_hi[a] = MAX (s->x_hi[a], x);
        }
    }
  if (isfinite (value))
    {
      s->lo = MIN (s->lo, value);
      s->hi = MAX (s->hi, value);
      if (value > 0)
        s->lo_positive = MIN (s->lo_positive, value);
    }
  g_array_append_val (s->points, p);
  invalidate (self);
}

void
cvl_plot_clear (CvlPlot *self)
{
  g_return_if_fail (CVL_IS_PLOT (self));

  for (guint i = 0; i < self->series->len; i++)
    series_reset (g_ptr_array_index (self->series, i), self->smoothing);
  self->hovering = FALSE;
  invalidate (self);
}

guint
cvl_plot_get_n_points (CvlPlot *self,
                       guint    series)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), 0);
  g_return_val_if_fail (series < self->series->len, 0);
  return ((Series *) g_ptr_array_index (self->series, series))->points->len;
}

gboolean
cvl_plot_get_point (CvlPlot      *self,
                    guint         series,
                    guint         index,
                    CvlPlotPoint *point)
{
  Series *s;

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (series < self->series->len, FALSE);

  s = g_ptr_array_index (self->series, series);
  if (index >= s->points->len)
    return FALSE;
  *point = g_array_index (s->points, CvlPlotPoint, index);
  return TRUE;
}

gboolean
cvl_plot_find_nearest (CvlPlot *self,
                       guint    series,
                       double   x,
                       guint   *index)
{
  const CvlPlotPoint *pts;
  Series *s;
  guint n, best = 0;

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (series < self->series->len, FALSE);

  s = g_ptr_array_index (self->series, series);
  pts = (const CvlPlotPoint *) s->points->data;
  n = s->points->len;
  if (n == 0)
    return FALSE;

  if (s->ordered[self->x_axis])
    {
      /* the first point at or after x, then whichever neighbour is nearer */
      guint lo = 0, hi = n;

      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (point_x (&pts[mid], self->x_axis) < x)
            lo = mid + 1;
          else
            hi = mid;
        }
      best = MIN (lo, n - 1);
      if (lo > 0 && (lo == n || fabs (point_x (&pts[lo - 1], self->x_axis) - x) <=
                                  fabs (point_x (&pts[lo], self->x_axis) - x)))
        best = lo - 1;
    }
  else
    for (guint i = 1; i < n; i++)
      if (fabs (point_x (&pts[i], self->x_axis) - x) < fabs (point_x (&pts[best], self->x_axis) - x))
        best = i;

  *index = best;
  return TRUE;
}

/* Recomputes every EMA, after the smoothing weight changed. */
static void
resmooth (CvlPlot *self)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      cvl_ema_init (&s->ema, s->smoothed ? self->smoothing : 0);
      for (guint k = 0; k < s->points->len; k++)
        {
          CvlPlotPoint *p = &g_array_index (s->points, CvlPlotPoint, k);

          p->smoothed = cvl_ema_next (&s->ema, p->value);
        }
    }
}

/* ---- Layout ------------------------------------------------------------- */

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
  self->scratch = g_new (double, 2 * self->scratch_capacity);
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
  double *px, *py;

  ensure_scratch (self, n);
  px = self->scratch;
  py = self->scratch + self->scratch_capacity;
  for (gsize i = 0; i < n; i++)
    {
      double x = point_x (&pts[i], self->x_axis);
      double y = map_value (self, smoothed ? pts[i].smoothed : pts[i].value);

      px[i] = axis_to_x (g, x);
      py[i] = isfinite (x) && !isnan (y) ? axis_to_y (g, y) : NAN;
    }
  line->x = g_new (double, 2 * MAX (n, 1));
  line->y = line->x + MAX (n, 1);
  line->n = cvl_plot_decimate (px, py, n, line->x, line->y);
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

static Geometry *
ensure_geometry (CvlPlot *self,
                 int      width,
                 int      height)
{
  g_autoptr (PangoLayout) layout = NULL;
  Geometry *g = self->geometry;
  double x_lo, x_hi, y_lo, y_hi, pad;
  int line_h, label_w = 0;

  if (g != NULL && g->width == width && g->height == height)
    return g;
  g_clear_pointer (&self->geometry, geometry_free);

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

  g = ensure_geometry (self, width, height);
  v = map_value (self, y);
  if (!g->has_data || isnan (v))
    return FALSE;
  *px = axis_to_x (g, x);
  *py = axis_to_y (g, v);
  return TRUE;
}

/* ---- Hover -------------------------------------------------------------- */

static void
set_hover (CvlPlot  *self,
           gboolean  hovering,
           double    x)
{
  if (hovering == self->hovering && (!hovering || x == self->hover_x))
    return;
  self->hovering = hovering;
  self->hover_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    px,
           double                    py,
           CvlPlot                  *self)
{
  Geometry *g = ensure_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                 gtk_widget_get_height (GTK_WIDGET (self)));
  double x, best = NAN;

  if (!g->has_data || px < g->left - 4 || px > g->right + 4 || py < g->top || py > g->bottom)
    {
      set_hover (self, FALSE, 0);
      return;
    }
  x = g->x.lo + (px - g->left) / (g->right - g->left) * (g->x.hi - g->x.lo);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      guint k;

      if (cvl_plot_find_nearest (self, i, x, &k))
        {
          double xi = point_x (&g_array_index (s->points, CvlPlotPoint, k), self->x_axis);

          if (isnan (best) || fabs (xi - x) < fabs (best - x))
            best = xi;
        }
    }
  set_hover (self, !isnan (best), best);
}

static void
on_leave (GtkEventControllerMotion *motion,
          CvlPlot                  *self)
{
  set_hover (self, FALSE, 0);
}

gboolean
cvl_plot_get_hover (CvlPlot *self,
                    double  *x)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);

  if (self->hovering && x != NULL)
    *x = self->hover_x;
  return self->hovering;
}

/* The read-out's cells: per series a name, the shown value, the raw value
 * when smoothed, and the x of its nearest point. [n_series, 4] strings. */
static char **
hover_cells (CvlPlot *self,
             guint   *n_rows,
             guint   *series_of_row)
{
  GPtrArray *cells = g_ptr_array_new ();

  *n_rows = 0;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const CvlPlotPoint *p;
      char x_text[32];
      guint k;

      if (!cvl_plot_find_nearest (self, i, self->hover_x, &k))
        continue;
      p = &g_array_index (s->points, CvlPlotPoint, k);
      format_x (self->x_axis, x_text, sizeof x_text, point_x (p, self->x_axis));
      g_ptr_array_add (cells, g_strdup (s->name));
      g_ptr_array_add (cells, g_strdup_printf ("%.4g", p->smoothed));
      g_ptr_array_add (cells, s->smoothed && self->smoothing > 0
                                ? g_strdup_printf (_("raw %.4g"), p->value) : g_strdup (""));
      g_ptr_array_add (cells, g_strdup_printf ("%s %s", x_axis_title (self->x_axis), x_text));
      series_of_row[(*n_rows)++] = i;
    }
  g_ptr_array_add (cells, NULL);
  return (char **) g_ptr_array_free (cells, FALSE);
}

char *
cvl_plot_dup_hover_text (CvlPlot *self)
{
  g_autofree guint *rows = NULL;
  g_auto (GStrv) cells = NULL;
  GString *text;
  guint n;

  g_return_val_if_fail (CVL_IS_PLOT (self), NULL);
  if (!self->hovering)
    return NULL;

  rows = g_new (guint, self->series->len + 1);
  cells = hover_cells (self, &n, rows);
  text = g_string_new (NULL);
  for (guint r = 0; r < n; r++)
    {
      g_string_append_printf (text, "%s: %s", cells[r * 4], cells[r * 4 + 1]);
      if (*cells[r * 4 + 2] != '\0')
        g_string_append_printf (text, " (%s)", cells[r * 4 + 2]);
      g_string_append_printf (text, ", %s\n", cells[r * 4 + 3]);
    }
  return g_string_free (text, FALSE);
}

/* ---- Drawing ------------------------------------------------------------ */

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

static void
stroke_polyline (cairo_t        *cr,
                 const Polyline *line)
{
  gboolean pen_down = FALSE;

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
    show_text (cr, layout, g->y.labels[i], g->left - PAD, axis_to_y (g, g->y.major[i]) - line_h / 2.0, 1);
  for (int i = 0; i < g->x.n_major; i++)
    show_text (cr, layout, g->x.labels[i], axis_to_x (g, g->x.major[i]), g->bottom + 4, 0.5);
  show_text (cr, layout, x_axis_title (self->x_axis), (g->left + g->right) / 2,
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
            double x = point_x (p, self->x_axis), y = map_value (self, p->value);

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
  guint n;

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
      cairo_arc (cr, axis_to_x (g, point_x (p, self->x_axis)), axis_to_y (g, y), 4, 0, 2 * G_PI);
      set_source (cr, &pal->series[i % N_COLOURS], 1);
      cairo_fill_preserve (cr);
      set_source (cr, &pal->bg, 1);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }

  /* a table: swatch | name | value | raw | x, beside the cursor */
  cells = hover_cells (self, &n, rows);
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
  by = g->top + 4;

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

static void
draw_plot (CvlPlot  *self,
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
  g = ensure_geometry (self, width, height);
  palette_from_style (self, &pal);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0");
  pango_layout_get_pixel_size (layout, NULL, &line_h);

  draw_legend (self, cr, layout, g, &pal, line_h);
  if (!g->has_data)
    {
      gboolean any = FALSE;

      for (guint i = 0; i < self->series->len && !any; i++)
        any = ((Series *) g_ptr_array_index (self->series, i))->points->len > 0;
      set_source (cr, &pal.fg, 0.45);
      show_text (cr, layout,
                 any && self->log_scale ? _("No positive values to show on a log scale")
                                        : _("No data yet"),
                 width / 2.0, (g->top + height) / 2.0 - line_h / 2.0, 0.5);
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
  draw_plot (self, cr, width, height, TRUE);
}

/* ---- Export ------------------------------------------------------------- */

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
replace_file (GFile       *file,
              const void  *data,
              gsize        size,
              GError     **error)
{
  /* g_file_replace_contents writes a temporary file and renames it */
  return g_file_replace_contents (file, data, size, NULL, FALSE, G_FILE_CREATE_NONE,
                                  NULL, NULL, error);
}

static gboolean
cairo_ok (cairo_status_t   status,
          GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not draw the plot: %s"),
               cairo_status_to_string (status));
  return FALSE;
}

static void
draw_for_export (CvlPlot *self,
                 cairo_t *cr,
                 int      width,
                 int      height)
{
  Palette pal;

  palette_from_style (self, &pal);
  set_source (cr, &pal.bg, 1);
  cairo_paint (cr);
  draw_plot (self, cr, width, height, FALSE);
}

gboolean
cvl_plot_export_png (CvlPlot  *self,
                     GFile    *file,
                     int       width,
                     int       height,
                     GError  **error)
{
  g_autoptr (GByteArray) bytes = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("An image of %d × %d pixels cannot be made"), width, height);
      return FALSE;
    }
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  draw_for_export (self, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  bytes = g_byte_array_new ();
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, append_bytes, bytes);
  cairo_surface_destroy (surface);

  return cairo_ok (status, error) && replace_file (file, bytes->data, bytes->len, error);
}

gboolean
cvl_plot_export_svg (CvlPlot  *self,
                     GFile    *file,
                     int       width,
                     int       height,
                     GError  **error)
{
  g_autoptr (GByteArray) bytes = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("An image of %d × %d pixels cannot be made"), width, height);
      return FALSE;
    }
  bytes = g_byte_array_new ();
  surface = cairo_svg_surface_create_for_stream (append_bytes, bytes, width, height);
  cr = cairo_create (surface);
  draw_for_export (self, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  return cairo_ok (status, error) && replace_file (file, bytes->data, bytes->len, error);
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void
append_number (GString *out,
               double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.15g", v);
  if (g_ascii_strtod (buf, NULL) != v && !isnan (v))
    g_ascii_formatd (buf, sizeof buf, "%.17g", v);
  g_string_append (out, buf);
}

static void
append_csv_field (GString    *out,
                  const char *text)
{
  if (strpbrk (text, ",\"\n\r") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

gboolean
cvl_plot_export_csv (CvlPlot  *self,
                     GFile    *file,
                     GError  **error)
{
  g_autoptr (GString) out = g_string_new ("series,step,epoch,seconds,value,smoothed\n");

  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < s->points->len; k++)
        {
          const CvlPlotPoint *p = &g_array_index (s->points, CvlPlotPoint, k);
          const double fields[] = { p->step, p->epoch, p->seconds, p->value, p->smoothed };

          append_csv_field (out, s->name);
          for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
            {
              g_string_append_c (out, ',');
              append_number (out, fields[f]);
            }
          g_string_append_c (out, '\n');
        }
    }
  return replace_file (file, out->str, out->len, error);
}

/* ---- Properties and GtkWidget --------------------------------------------- */

void
cvl_plot_set_smoothing (CvlPlot *self,
                        double   smoothing)
{
  g_return_if_fail (CVL_IS_PLOT (self));

  smoothing = CLAMP (smoothing, 0, 0.999);
  if (smoothing == self->smoothing)
    return;
  self->smoothing = smoothing;
  resmooth (self);
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMOOTHING]);
}

double
cvl_plot_get_smoothing (CvlPlot *self)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), 0);
  return self->smoothing;
}

void
cvl_plot_set_log_scale (CvlPlot  *self,
                        gboolean  log_scale)
{
  g_return_if_fail (CVL_IS_PLOT (self));

  log_scale = !!log_scale;
  if (log_scale == self->log_scale)
    return;
  self->log_scale = log_scale;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_SCALE]);
}

gboolean
cvl_plot_get_log_scale (CvlPlot *self)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), FALSE);
  return self->log_scale;
}

void
cvl_plot_set_x_axis (CvlPlot      *self,
                     CvlPlotXAxis  x_axis)
{
  g_return_if_fail (CVL_IS_PLOT (self));
  g_return_if_fail (x_axis <= CVL_PLOT_X_TIME);

  if (x_axis == self->x_axis)
    return;
  self->x_axis = x_axis;
  self->hovering = FALSE;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_AXIS]);
}

CvlPlotXAxis
cvl_plot_get_x_axis (CvlPlot *self)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), CVL_PLOT_X_STEP);
  return self->x_axis;
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
cvl_plot_set_title (CvlPlot    *self,
                    const char *title)
{
  g_return_if_fail (CVL_IS_PLOT (self));

  if (!set_string (&self->title, title))
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title != NULL ? title : _("Plot"), -1);
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
cvl_plot_get_title (CvlPlot *self)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), NULL);
  return self->title;
}

void
cvl_plot_set_y_label (CvlPlot    *self,
                      const char *y_label)
{
  g_return_if_fail (CVL_IS_PLOT (self));

  if (!set_string (&self->y_label, y_label))
    return;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_Y_LABEL]);
}

const char *
cvl_plot_get_y_label (CvlPlot *self)
{
  g_return_val_if_fail (CVL_IS_PLOT (self), NULL);
  return self->y_label;
}

static void
cvl_plot_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cvl_plot_draw (CVL_PLOT (widget), cr, w, h);
  cairo_destroy (cr);
}

static void
cvl_plot_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 480;
    }
  else
    {
      *minimum = 140;
      *natural = 280;
    }
}

static void
cvl_plot_css_changed (GtkWidget         *widget,
                      GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (cvl_plot_parent_class)->css_changed (widget, change);
  /* fonts change the margins */
  invalidate (CVL_PLOT (widget));
}

static void
cvl_plot_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CvlPlot *self = CVL_PLOT (object);

  switch (prop_id)
    {
    case PROP_SMOOTHING:
      g_value_set_double (value, self->smoothing);
      break;
    case PROP_LOG_SCALE:
      g_value_set_boolean (value, self->log_scale);
      break;
    case PROP_X_AXIS:
      g_value_set_enum (value, self->x_axis);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_Y_LABEL:
      g_value_set_string (value, self->y_label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_plot_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CvlPlot *self = CVL_PLOT (object);

  switch (prop_id)
    {
    case PROP_SMOOTHING:
      cvl_plot_set_smoothing (self, g_value_get_double (value));
      break;
    case PROP_LOG_SCALE:
      cvl_plot_set_log_scale (self, g_value_get_boolean (value));
      break;
    case PROP_X_AXIS:
      cvl_plot_set_x_axis (self, g_value_get_enum (value));
      break;
    case PROP_TITLE:
      cvl_plot_set_title (self, g_value_get_string (value));
      break;
    case PROP_Y_LABEL:
      cvl_plot_set_y_label (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_plot_finalize (GObject *object)
{
  CvlPlot *self = CVL_PLOT (object);

  g_clear_pointer (&self->geometry, geometry_free);
  g_ptr_array_unref (self->series);
  g_free (self->scratch);
  g_free (self->title);
  g_free (self->y_label);
  G_OBJECT_CLASS (cvl_plot_parent_class)->finalize (object);
}

static void
cvl_plot_size_allocate (GtkWidget *widget,
                        int        width,
                        int        height,
                        int        baseline)
{
  CvlPlot *self = CVL_PLOT (widget);

  /* the cache is for one size: drop it on resize rather than keep two */
  if (self->geometry != NULL && (self->geometry->width != width || self->geometry->height != height))
    g_clear_pointer (&self->geometry, geometry_free);
}

static void
cvl_plot_class_init (CvlPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cvl_plot_finalize;
  object_class->get_property = cvl_plot_get_property;
  object_class->set_property = cvl_plot_set_property;
  widget_class->snapshot = cvl_plot_snapshot;
  widget_class->measure = cvl_plot_measure;
  widget_class->size_allocate = cvl_plot_size_allocate;
  widget_class->css_changed = cvl_plot_css_changed;

  properties[PROP_SMOOTHING] =
    g_param_spec_double ("smoothing", NULL, NULL, 0, 0.999, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOG_SCALE] =
    g_param_spec_boolean ("log-scale", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_X_AXIS] =
    g_param_spec_enum ("x-axis", NULL, NULL, CVL_TYPE_PLOT_X_AXIS, CVL_PLOT_X_STEP,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_Y_LABEL] =
    g_param_spec_string ("y-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cvl-plot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cvl_plot_init (CvlPlot *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->series = g_ptr_array_new_with_free_func (series_free);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Plot"), -1);
}

GtkWidget *
cvl_plot_new (void)
{
  return g_object_new (CVL_TYPE_PLOT, NULL);
}
