/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Strokes are kept as point lists in canvas units (0–1), so the same ink
 * draws on screen at any size and renders at 28 px or 280 px for the
 * network. Curves pass through the midpoints of successive samples
 * (quadratic smoothing); a pen's pressure scales each segment's width. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-draw-canvas.h"

typedef struct
{
  double x, y, width;   /* canvas units; width already includes pressure */
} Point;

struct _CvlDrawCanvas
{
  GtkWidget  parent_instance;

  GPtrArray *strokes;   /* GArray<Point>*: what is on the canvas */
  GPtrArray *redo;      /* strokes taken back by undo */
  GArray    *current;   /* the stroke being drawn, or NULL */
  double     brush;
  double     start_x, start_y;
};

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CvlDrawCanvas, cvl_draw_canvas, GTK_TYPE_WIDGET)

static void
emit_changed (CvlDrawCanvas *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[CHANGED], 0);
}

static double
canvas_side (CvlDrawCanvas *self)
{
  return MIN (gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)));
}

void
cvl_draw_canvas_set_brush (CvlDrawCanvas *self,
                           double         width)
{
  g_return_if_fail (CVL_IS_DRAW_CANVAS (self));
  self->brush = CLAMP (width, 0.01, 0.3);
}

double
cvl_draw_canvas_get_brush (CvlDrawCanvas *self)
{
  return self->brush;
}

gboolean
cvl_draw_canvas_is_empty (CvlDrawCanvas *self)
{
  return self->strokes->len == 0 && self->current == NULL;
}

void
cvl_draw_canvas_clear (CvlDrawCanvas *self)
{
  g_return_if_fail (CVL_IS_DRAW_CANVAS (self));
  if (self->strokes->len == 0)
    return;
  /* Clear is undoable too: the strokes move to the redo side in reverse. */
  g_ptr_array_set_size (self->redo, 0);
  while (self->strokes->len > 0)
    g_ptr_array_add (self->redo, g_ptr_array_steal_index (self->strokes, self->strokes->len - 1));
  emit_changed (self);
}

gboolean
cvl_draw_canvas_undo (CvlDrawCanvas *self)
{
  g_return_val_if_fail (CVL_IS_DRAW_CANVAS (self), FALSE);
  if (self->strokes->len == 0)
    return FALSE;
  g_ptr_array_add (self->redo, g_ptr_array_steal_index (self->strokes, self->strokes->len - 1));
  emit_changed (self);
  return TRUE;
}

gboolean
cvl_draw_canvas_redo (CvlDrawCanvas *self)
{
  g_return_val_if_fail (CVL_IS_DRAW_CANVAS (self), FALSE);
  if (self->redo->len == 0)
    return FALSE;
  g_ptr_array_add (self->strokes, g_ptr_array_steal_index (self->redo, self->redo->len - 1));
  emit_changed (self);
  return TRUE;
}

static GArray *
new_stroke (void)
{
  return g_array_new (FALSE, FALSE, sizeof (Point));
}

void
cvl_draw_canvas_add_stroke (CvlDrawCanvas *self,
                            const double  *xy,
                            guint          n_points,
                            double         width)
{
  GArray *stroke;

  g_return_if_fail (CVL_IS_DRAW_CANVAS (self));
  g_return_if_fail (n_points > 0 && xy != NULL);

  stroke = new_stroke ();
  for (guint i = 0; i < n_points; i++)
    {
      Point p = { xy[2 * i], xy[2 * i + 1], width };
      g_array_append_val (stroke, p);
    }
  g_ptr_array_add (self->strokes, stroke);
  g_ptr_array_set_size (self->redo, 0);
  emit_changed (self);
}

/* One stroke: a dot for a single point, else segments through midpoints,
 * each with the width of the sample it leaves from. */
static void
draw_stroke (cairo_t      *cr,
             const GArray *stroke)
{
  const Point *p = (const Point *) stroke->data;
  guint n = stroke->len;

  if (n == 1)
    {
      cairo_arc (cr, p[0].x, p[0].y, p[0].width / 2, 0, 2 * G_PI);
      cairo_fill (cr);
      return;
    }
  for (guint i = 0; i + 1 < n; i++)
    {
      double x0 = i == 0 ? p[0].x : (p[i - 1].x + p[i].x) / 2;
      double y0 = i == 0 ? p[0].y : (p[i - 1].y + p[i].y) / 2;
      double x1 = i + 2 == n ? p[i + 1].x : (p[i].x + p[i + 1].x) / 2;
      double y1 = i + 2 == n ? p[i + 1].y : (p[i].y + p[i + 1].y) / 2;

      /* Quadratic through p[i] as a cubic with equivalent controls. */
      cairo_move_to (cr, x0, y0);
      cairo_curve_to (cr, x0 + 2.0 / 3 * (p[i].x - x0), y0 + 2.0 / 3 * (p[i].y - y0),
                      x1 + 2.0 / 3 * (p[i].x - x1), y1 + 2.0 / 3 * (p[i].y - y1), x1, y1);
      cairo_set_line_width (cr, p[i].width);
      cairo_stroke (cr);
    }
}

static void
draw_ink (CvlDrawCanvas *self,
          cairo_t       *cr)
{
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->strokes->len; i++)
    draw_stroke (cr, g_ptr_array_index (self->strokes, i));
  if (self->current != NULL)
    draw_stroke (cr, self->current);
}

float *
cvl_draw_canvas_render (CvlDrawCanvas *self,
                        int            side)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  float *out;
  int stride;
  const guint8 *data;

  g_return_val_if_fail (CVL_IS_DRAW_CANVAS (self), NULL);
  g_return_val_if_fail (side > 0 && side <= 4096, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_A8, side, side);
  cr = cairo_create (surface);
  cairo_scale (cr, side, side);
  draw_ink (self, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  out = g_new (float, (gsize) side * side);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      out[(gsize) y * side + x] = data[(gsize) y * stride + x] / 255.0f;
  cairo_surface_destroy (surface);
  return out;
}

static void
cvl_draw_canvas_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  CvlDrawCanvas *self = CVL_DRAW_CANVAS (widget);
  double side = canvas_side (self);
  GdkRGBA fg;
  cairo_t *cr;

  if (side <= 0)
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, side, side));
  /* A faint 20×20 box shows where MNIST puts a digit's ink. */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, round (side * 4 / 28) + 0.5, round (side * 4 / 28) + 0.5,
                   round (side * 20 / 28), round (side * 20 / 28));
  cairo_stroke (cr);
  cairo_scale (cr, side, side);
  /* Opaque ink in a group, faded as a whole: overlapping segments of a
   * translucent colour would otherwise show darker joints. */
  cairo_push_group (cr);
  cairo_set_source_rgb (cr, fg.red, fg.green, fg.blue);
  draw_ink (self, cr);
  cairo_pop_group_to_source (cr);
  cairo_paint_with_alpha (cr, fg.alpha);
  cairo_destroy (cr);
}

static void
cvl_draw_canvas_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = 140;
  *natural = 320;
}

static void
add_point (CvlDrawCanvas      *self,
           GtkGestureDrag     *drag,
           double              wx,
           double              wy)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (drag));
  double side = canvas_side (self), pressure = 1.0;
  Point p;

  if (side <= 0 || self->current == NULL)
    return;
  /* A pen's pressure thins or thickens the line (0.4× to 1.6×). */
  if (event != NULL && gdk_event_get_axis (event, GDK_AXIS_PRESSURE, &pressure))
    pressure = 0.4 + 1.2 * CLAMP (pressure, 0.0, 1.0);
  else
    pressure = 1.0;
  p.x = CLAMP (wx / side, 0.0, 1.0);
  p.y = CLAMP (wy / side, 0.0, 1.0);
  p.width = self->brush * pressure;
  g_array_append_val (self->current, p);
  emit_changed (self);
}

static void
on_drag_begin (GtkGestureDrag *drag,
               double          x,
               double          y,
               CvlDrawCanvas  *self)
{
  self->start_x = x;
  self->start_y = y;
  g_clear_pointer (&self->current, g_array_unref);
  self->current = new_stroke ();
  add_point (self, drag, x, y);
}

static void
on_drag_update (GtkGestureDrag *drag,
                double          dx,
                double          dy,
                CvlDrawCanvas  *self)
{
  add_point (self, drag, self->start_x + dx, self->start_y + dy);
}

static void
on_drag_end (GtkGestureDrag *drag,
             double          dx,
             double          dy,
             CvlDrawCanvas  *self)
{
  if (self->current == NULL)
    return;
  g_ptr_array_add (self->strokes, g_steal_pointer (&self->current));
  g_ptr_array_set_size (self->redo, 0);
  emit_changed (self);
}

static void
cvl_draw_canvas_finalize (GObject *object)
{
  CvlDrawCanvas *self = CVL_DRAW_CANVAS (object);

  g_clear_pointer (&self->strokes, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->current, g_array_unref);
  G_OBJECT_CLASS (cvl_draw_canvas_parent_class)->finalize (object);
}

static void
cvl_draw_canvas_class_init (CvlDrawCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cvl_draw_canvas_finalize;
  widget_class->snapshot = cvl_draw_canvas_snapshot;
  widget_class->measure = cvl_draw_canvas_measure;

  /* Emitted whenever the ink changes, during a stroke too. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_css_name (widget_class, "cvl-draw-canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cvl_draw_canvas_init (CvlDrawCanvas *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->strokes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->redo = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->brush = 0.09;

  /* Mouse, pen and touch all arrive as drags. */
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (drag), FALSE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Drawing area for a digit"), -1);
}

GtkWidget *
cvl_draw_canvas_new (void)
{
  return g_object_new (CVL_TYPE_DRAW_CANVAS, NULL);
}
