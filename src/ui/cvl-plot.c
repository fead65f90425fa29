/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlPlot keeps the series and their EMA (updated as points arrive), its
 * options, and the hover state; any change drops the layout cache that
 * cvl-plot-render.c rebuilds at the next draw. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-plot-private.h"

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

/* Data, options or style changed: the cached layout is stale. */
static void
invalidate (CvlPlot *self)
{
  g_clear_pointer (&self->geometry, cvl_plot_geometry_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

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
      double x = cvl_plot_point_x (&p, a);

      if (s->points->len > 0 && x < cvl_plot_point_x (&g_array_index (s->points, CvlPlotPoint,
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

          if (cvl_plot_point_x (&pts[mid], self->x_axis) < x)
            lo = mid + 1;
          else
            hi = mid;
        }
      best = MIN (lo, n - 1);
      if (lo > 0 && (lo == n || fabs (cvl_plot_point_x (&pts[lo - 1], self->x_axis) - x) <=
                                  fabs (cvl_plot_point_x (&pts[lo], self->x_axis) - x)))
        best = lo - 1;
    }
  else
    for (guint i = 1; i < n; i++)
      if (fabs (cvl_plot_point_x (&pts[i], self->x_axis) - x) <
          fabs (cvl_plot_point_x (&pts[best], self->x_axis) - x))
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
  Geometry *g = cvl_plot_ensure_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
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
          double xi = cvl_plot_point_x (&g_array_index (s->points, CvlPlotPoint, k), self->x_axis);

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
char **
cvl_plot_hover_cells (CvlPlot *self,
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
      cvl_plot_format_x (self->x_axis, x_text, sizeof x_text, cvl_plot_point_x (p, self->x_axis));
      g_ptr_array_add (cells, g_strdup (s->name));
      g_ptr_array_add (cells, g_strdup_printf ("%.4g", p->smoothed));
      g_ptr_array_add (cells, s->smoothed && self->smoothing > 0
                                ? g_strdup_printf (_("raw %.4g"), p->value) : g_strdup (""));
      g_ptr_array_add (cells, g_strdup_printf ("%s %s", cvl_plot_x_axis_title (self->x_axis),
                                               x_text));
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
  cells = cvl_plot_hover_cells (self, &n, rows);
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

  g_clear_pointer (&self->geometry, cvl_plot_geometry_free);
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
  if (self->geometry != NULL &&
      (self->geometry->width != width || self->geometry->height != height))
    g_clear_pointer (&self->geometry, cvl_plot_geometry_free);
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
