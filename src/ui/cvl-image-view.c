/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Kernels page's image area. View state is a zoom factor and the image
 * point shown at the widget's centre; snapshot() only turns that into a
 * Cairo transform. Zoomed-in pixels are drawn with a nearest filter so the
 * effect of a kernel on single pixels stays visible. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-image-view.h"
#include "cvl-surface.h"

#define ZOOM_MIN    0.02
#define ZOOM_MAX    64.0
#define ZOOM_STEP   1.25
#define GRAB_RADIUS 8.0   /* px around the divider that start a divider drag */

struct _CvlImageView
{
  GtkWidget parent_instance;

  cairo_surface_t *original;
  cairo_surface_t *result;
  double           res_x0, res_y0, res_sx, res_sy;

  graphene_rect_t  highlight;  /* input coordinates; empty when width is 0 */

  CvlViewMode      mode;
  double           zoom;
  gboolean         fit;        /* re-fit on every resize until the user zooms */
  double           center_x;   /* image point shown at the widget centre */
  double           center_y;
  double           split;      /* divider position, fraction of the width */

  gboolean         dragging_split;
  double           drag_center_x, drag_center_y;
  double           pointer_x, pointer_y;
  gboolean         pointer_inside;
};

enum { PROP_0, PROP_MODE, PROP_ZOOM, PROP_FIT, N_PROPS };
enum { HOVER, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CvlImageView, cvl_image_view, GTK_TYPE_WIDGET)

static int
image_width (CvlImageView *self)
{
  return self->original ? cairo_image_surface_get_width (self->original) : 0;
}

static int
image_height (CvlImageView *self)
{
  return self->original ? cairo_image_surface_get_height (self->original) : 0;
}

void
cvl_image_view_to_image (CvlImageView *self,
                         double        wx,
                         double        wy,
                         double       *ix,
                         double       *iy)
{
  GtkWidget *widget = GTK_WIDGET (self);

  *ix = (wx - gtk_widget_get_width (widget) / 2.0) / self->zoom + self->center_x;
  *iy = (wy - gtk_widget_get_height (widget) / 2.0) / self->zoom + self->center_y;
}

void
cvl_image_view_set_highlight (CvlImageView *self,
                              double        x,
                              double        y,
                              double        width,
                              double        height)
{
  g_return_if_fail (CVL_IS_IMAGE_VIEW (self));

  if (self->highlight.origin.x == x && self->highlight.origin.y == y
      && self->highlight.size.width == width && self->highlight.size.height == height)
    return;
  graphene_rect_init (&self->highlight, x, y, width, height);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cvl_image_view_to_widget (CvlImageView *self,
                          double        ix,
                          double        iy,
                          double       *wx,
                          double       *wy)
{
  GtkWidget *widget = GTK_WIDGET (self);

  *wx = (ix - self->center_x) * self->zoom + gtk_widget_get_width (widget) / 2.0;
  *wy = (iy - self->center_y) * self->zoom + gtk_widget_get_height (widget) / 2.0;
}

static double
fit_zoom (CvlImageView *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self));
  int h = gtk_widget_get_height (GTK_WIDGET (self));

  if (image_width (self) == 0 || w <= 0 || h <= 0)
    return 1.0;
  /* Small images are not blown up past 100% by "fit": that would blur the
   * very pixels the user wants to see; zoom in explicitly for that. */
  return MIN (1.0, MIN ((w - 16.0) / image_width (self), (h - 16.0) / image_height (self)));
}

static void
set_fit (CvlImageView *self,
         gboolean      fit)
{
  if (self->fit == fit)
    return;
  self->fit = fit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
}

static void
apply_zoom (CvlImageView *self,
            double        zoom)
{
  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (fabs (zoom - self->zoom) < 1e-9)
    return;
  self->zoom = zoom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Zoom keeping the image point under (wx, wy) where it is. */
static void
zoom_around (CvlImageView *self,
             double        zoom,
             double        wx,
             double        wy)
{
  double ix, iy;

  cvl_image_view_to_image (self, wx, wy, &ix, &iy);
  set_fit (self, FALSE);
  apply_zoom (self, zoom);
  self->center_x = ix - (wx - gtk_widget_get_width (GTK_WIDGET (self)) / 2.0) / self->zoom;
  self->center_y = iy - (wy - gtk_widget_get_height (GTK_WIDGET (self)) / 2.0) / self->zoom;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cvl_image_view_zoom_fit (CvlImageView *self)
{
  g_return_if_fail (CVL_IS_IMAGE_VIEW (self));
  set_fit (self, TRUE);
  self->center_x = image_width (self) / 2.0;
  self->center_y = image_height (self) / 2.0;
  apply_zoom (self, fit_zoom (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cvl_image_view_set_zoom (CvlImageView *self,
                         double        zoom)
{
  g_return_if_fail (CVL_IS_IMAGE_VIEW (self));
  zoom_around (self, zoom, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
               gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
cvl_image_view_zoom_in (CvlImageView *self)
{
  cvl_image_view_set_zoom (self, self->zoom * ZOOM_STEP);
}

void
cvl_image_view_zoom_out (CvlImageView *self)
{
  cvl_image_view_set_zoom (self, self->zoom / ZOOM_STEP);
}

double
cvl_image_view_get_zoom (CvlImageView *self)
{
  return self->zoom;
}

gboolean
cvl_image_view_get_fit (CvlImageView *self)
{
  return self->fit;
}

double
cvl_image_view_get_split (CvlImageView *self)
{
  return self->split;
}

void
cvl_image_view_set_split (CvlImageView *self,
                          double        split)
{
  self->split = CLAMP (split, 0.0, 1.0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cvl_image_view_set_original (CvlImageView    *self,
                             cairo_surface_t *surface)
{
  gboolean new_size;

  g_return_if_fail (CVL_IS_IMAGE_VIEW (self));

  new_size = surface == NULL || self->original == NULL
    || cairo_image_surface_get_width (surface) != image_width (self)
    || cairo_image_surface_get_height (surface) != image_height (self);
  g_clear_pointer (&self->original, cairo_surface_destroy);
  if (surface != NULL)
    self->original = cairo_surface_reference (surface);
  if (new_size)
    cvl_image_view_zoom_fit (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cvl_image_view_set_result (CvlImageView    *self,
                           cairo_surface_t *surface,
                           double           origin_x,
                           double           origin_y,
                           double           scale_x,
                           double           scale_y)
{
  g_return_if_fail (CVL_IS_IMAGE_VIEW (self));

  g_clear_pointer (&self->result, cairo_surface_destroy);
  if (surface != NULL)
    self->result = cairo_surface_reference (surface);
  self->res_x0 = origin_x;
  self->res_y0 = origin_y;
  self->res_sx = scale_x;
  self->res_sy = scale_y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cvl_image_view_set_mode (CvlImageView *self,
                         CvlViewMode   mode)
{
  g_return_if_fail (CVL_IS_IMAGE_VIEW (self));
  if (self->mode == mode)
    return;
  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

CvlViewMode
cvl_image_view_get_mode (CvlImageView *self)
{
  return self->mode;
}

static double
split_x (CvlImageView *self)
{
  return round (self->split * gtk_widget_get_width (GTK_WIDGET (self)));
}

static void
paint_surface (cairo_t         *cr,
               cairo_surface_t *surface,
               double           zoom_x,
               double           zoom_y)
{
  cairo_pattern_t *pattern;
  double level_x, level_y;

  /* Zoomed out, draw from a precomputed smaller copy: a full-size 12 MP
   * surface takes tens of ms to filter down on every frame. */
  surface = cvl_surface_pick_level (surface, MIN (zoom_x, zoom_y), &level_x, &level_y);
  zoom_x /= level_x;
  zoom_y /= level_y;

  cairo_save (cr);
  cairo_scale (cr, zoom_x, zoom_y);
  cairo_set_source_surface (cr, surface, 0, 0);
  pattern = cairo_get_source (cr);
  /* Crisp pixels once a pixel is bigger than about one screen pixel. */
  cairo_pattern_set_filter (pattern, zoom_x >= 1.5 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_NONE);
  cairo_rectangle (cr, 0, 0, cairo_image_surface_get_width (surface),
                   cairo_image_surface_get_height (surface));
  cairo_fill (cr);
  cairo_restore (cr);
}

static void
draw_view (CvlImageView *self,
           cairo_t      *cr,
           int           width,
           int           height)
{
  GdkRGBA fg;
  double sx = split_x (self);
  double ox = width / 2.0 - self->center_x * self->zoom;
  double oy = height / 2.0 - self->center_y * self->zoom;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (self->original == NULL)
    return;

  /* Left of the divider (or everything): the original. */
  if (self->mode != CVL_VIEW_RESULT || self->result == NULL)
    {
      cairo_save (cr);
      if (self->mode == CVL_VIEW_SPLIT && self->result != NULL)
        {
          cairo_rectangle (cr, 0, 0, sx, height);
          cairo_clip (cr);
        }
      cairo_translate (cr, ox, oy);
      paint_surface (cr, self->original, self->zoom, self->zoom);
      cairo_restore (cr);
    }

  if (self->mode != CVL_VIEW_ORIGINAL && self->result != NULL)
    {
      cairo_save (cr);
      if (self->mode == CVL_VIEW_SPLIT)
        {
          cairo_rectangle (cr, sx, 0, width - sx, height);
          cairo_clip (cr);
        }
      cairo_translate (cr, ox + self->res_x0 * self->zoom, oy + self->res_y0 * self->zoom);
      paint_surface (cr, self->result, self->zoom * self->res_sx, self->zoom * self->res_sy);
      cairo_restore (cr);
    }

  if (self->highlight.size.width > 0)
    {
      /* The kernel's footprint: a dark and a light line, visible on any image. */
      double x = ox + self->highlight.origin.x * self->zoom;
      double y = oy + self->highlight.origin.y * self->zoom;
      double w = self->highlight.size.width * self->zoom;
      double h = self->highlight.size.height * self->zoom;

      cairo_set_line_width (cr, 3);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
      cairo_rectangle (cr, round (x) - 1.5, round (y) - 1.5, round (w) + 3, round (h) + 3);
      cairo_stroke (cr);
      cairo_set_line_width (cr, 1);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
      cairo_rectangle (cr, round (x) - 1.5, round (y) - 1.5, round (w) + 3, round (h) + 3);
      cairo_stroke (cr);
    }

  if (self->mode == CVL_VIEW_SPLIT && self->result != NULL)
    {
      /* The divider: a line with a round grip in the middle. */
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.85);
      cairo_rectangle (cr, sx - 1, 0, 2, height);
      cairo_fill (cr);
      cairo_arc (cr, sx, height / 2.0, 10, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static void
cvl_image_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  CvlImageView *self = CVL_IMAGE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0 || self->original == NULL)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw_view (self, cr, width, height);
  cairo_destroy (cr);
}

static void
cvl_image_view_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  CvlImageView *self = CVL_IMAGE_VIEW (widget);

  if (self->fit)
    {
      self->center_x = image_width (self) / 2.0;
      self->center_y = image_height (self) / 2.0;
      apply_zoom (self, fit_zoom (self));
    }
}

static void
emit_hover (CvlImageView *self)
{
  double ix, iy;

  if (!self->pointer_inside || self->original == NULL)
    {
      g_signal_emit (self, signals[HOVER], 0, -1.0, -1.0, FALSE);
      return;
    }
  cvl_image_view_to_image (self, self->pointer_x, self->pointer_y, &ix, &iy);
  g_signal_emit (self, signals[HOVER], 0, ix, iy,
                 ix >= 0 && iy >= 0 && ix < image_width (self) && iy < image_height (self));
}

static gboolean
near_divider (CvlImageView *self,
              double        x)
{
  return self->mode == CVL_VIEW_SPLIT && self->result != NULL
      && fabs (x - split_x (self)) <= GRAB_RADIUS;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           CvlImageView             *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   near_divider (self, x) || self->dragging_split
                                   ? "col-resize" : "crosshair");
  emit_hover (self);
}

static void
on_leave (GtkEventControllerMotion *motion,
          CvlImageView             *self)
{
  self->pointer_inside = FALSE;
  emit_hover (self);
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           CvlImageView             *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if (self->original == NULL)
    return FALSE;
  if (mods & GDK_CONTROL_MASK)
    {
      zoom_around (self, self->zoom * pow (ZOOM_STEP, -dy), self->pointer_x, self->pointer_y);
    }
  else
    {
      const double step = 40.0;   /* screen pixels per scroll unit */

      if (mods & GDK_SHIFT_MASK)
        {
          dx = dy;
          dy = 0;
        }
      self->center_x += dx * step / self->zoom;
      self->center_y += dy * step / self->zoom;
      set_fit (self, FALSE);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  emit_hover (self);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *drag,
               double          x,
               double          y,
               CvlImageView   *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->dragging_split = near_divider (self, x);
  self->drag_center_x = self->center_x;
  self->drag_center_y = self->center_y;
}

static void
on_drag_update (GtkGestureDrag *drag,
                double          dx,
                double          dy,
                CvlImageView   *self)
{
  double x0, y0;

  gtk_gesture_drag_get_start_point (drag, &x0, &y0);
  if (self->dragging_split)
    {
      cvl_image_view_set_split (self, (x0 + dx) / MAX (1, gtk_widget_get_width (GTK_WIDGET (self))));
      return;
    }
  self->center_x = self->drag_center_x - dx / self->zoom;
  self->center_y = self->drag_center_y - dy / self->zoom;
  set_fit (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag *drag,
             double          dx,
             double          dy,
             CvlImageView   *self)
{
  self->dragging_split = FALSE;
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CvlImageView *self = CVL_IMAGE_VIEW (widget);

  if (g_str_equal (action_name, "view.zoom-in"))
    cvl_image_view_zoom_in (self);
  else if (g_str_equal (action_name, "view.zoom-out"))
    cvl_image_view_zoom_out (self);
  else if (g_str_equal (action_name, "view.zoom-fit"))
    cvl_image_view_zoom_fit (self);
  else
    cvl_image_view_set_zoom (self, 1.0);
}

static void
cvl_image_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CvlImageView *self = CVL_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE: g_value_set_int (value, self->mode); break;
    case PROP_ZOOM: g_value_set_double (value, self->zoom); break;
    case PROP_FIT: g_value_set_boolean (value, self->fit); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_image_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CvlImageView *self = CVL_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE: cvl_image_view_set_mode (self, g_value_get_int (value)); break;
    case PROP_ZOOM: cvl_image_view_set_zoom (self, g_value_get_double (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_image_view_finalize (GObject *object)
{
  CvlImageView *self = CVL_IMAGE_VIEW (object);

  g_clear_pointer (&self->original, cairo_surface_destroy);
  g_clear_pointer (&self->result, cairo_surface_destroy);
  G_OBJECT_CLASS (cvl_image_view_parent_class)->finalize (object);
}

static void
cvl_image_view_class_init (CvlImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cvl_image_view_finalize;
  object_class->get_property = cvl_image_view_get_property;
  object_class->set_property = cvl_image_view_set_property;
  widget_class->snapshot = cvl_image_view_snapshot;
  widget_class->size_allocate = cvl_image_view_size_allocate;

  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL, CVL_VIEW_ORIGINAL, CVL_VIEW_RESULT, CVL_VIEW_SPLIT,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FIT] =
    g_param_spec_boolean ("fit", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* hover (image_x, image_y, inside): the pointer in input-image coordinates. */
  signals[HOVER] = g_signal_new ("hover", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                 G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_BOOLEAN);

  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-one", NULL, zoom_action);
  /* Plain keys act while the view has focus (cells need +/− for typing). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "view.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, 0, "view.zoom-one", NULL);

  gtk_widget_class_set_css_name (widget_class, "cvl-image-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cvl_image_view_init (CvlImageView *self)
{
  GtkEventController *controller;
  GtkGesture *drag;

  self->mode = CVL_VIEW_SPLIT;
  self->zoom = 1.0;
  self->fit = TRUE;
  self->split = 0.5;
  self->res_sx = self->res_sy = 1.0;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Original and convolved image"), -1);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

GtkWidget *
cvl_image_view_new (void)
{
  return g_object_new (CVL_TYPE_IMAGE_VIEW, NULL);
}
