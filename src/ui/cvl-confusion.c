/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Draws the confusion matrix: correct predictions (the diagonal) in the
 * theme's success colour and in bold, mistakes in its error colour, each
 * shaded by its share of the true digit's row, so rare mistakes still show. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-confusion.h"

#define N   CVL_CONFUSION_N_CLASSES
#define PAD 6

struct _CvlConfusion
{
  GtkWidget parent_instance;

  gboolean  valid;
  guint32   counts[N * N];   /* [true, predicted] */
  guint64   row_total[N];
  int       hover_true, hover_pred;
};

typedef struct
{
  double x0, y0;   /* the first cell's top left */
  double cell;
  int    line_h;
  int    digit_w;
} Layout;

enum { HOVER, CELL_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CvlConfusion, cvl_confusion, GTK_TYPE_WIDGET)

void
cvl_confusion_set_counts (CvlConfusion  *self,
                          const guint32  counts[100])
{
  g_return_if_fail (CVL_IS_CONFUSION (self));

  self->valid = counts != NULL;
  memset (self->row_total, 0, sizeof self->row_total);
  if (counts != NULL)
    memcpy (self->counts, counts, sizeof self->counts);
  else
    memset (self->counts, 0, sizeof self->counts);
  for (int t = 0; t < N; t++)
    for (int p = 0; p < N; p++)
      self->row_total[t] += self->counts[t * N + p];
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
cvl_confusion_has_counts (CvlConfusion *self)
{
  g_return_val_if_fail (CVL_IS_CONFUSION (self), FALSE);
  return self->valid;
}

guint32
cvl_confusion_get_count (CvlConfusion *self,
                         int           true_class,
                         int           predicted)
{
  g_return_val_if_fail (CVL_IS_CONFUSION (self), 0);
  g_return_val_if_fail (true_class >= 0 && true_class < N && predicted >= 0 && predicted < N, 0);
  return self->counts[true_class * N + predicted];
}

double
cvl_confusion_get_rate (CvlConfusion *self,
                        int           true_class,
                        int           predicted)
{
  g_return_val_if_fail (CVL_IS_CONFUSION (self), 0);
  g_return_val_if_fail (true_class >= 0 && true_class < N && predicted >= 0 && predicted < N, 0);

  if (self->row_total[true_class] == 0)
    return 0;
  return (double) self->counts[true_class * N + predicted] / self->row_total[true_class];
}

static gboolean
compute_layout (CvlConfusion *self,
                int           width,
                int           height,
                Layout       *l)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0");
  int left, top;

  pango_layout_get_pixel_size (layout, &l->digit_w, &l->line_h);
  /* left: rotated "True", then the digits; top: "Predicted", then the digits */
  left = l->line_h + PAD + l->digit_w + PAD;
  top = l->line_h + PAD + l->line_h + PAD / 2;
  l->cell = floor (MIN ((double) (width - left) / N, (double) (height - top) / N));
  if (l->cell < 4)
    return FALSE;
  l->x0 = left + floor ((width - left - N * l->cell) / 2);
  l->y0 = top;
  return TRUE;
}

gboolean
cvl_confusion_get_cell_area (CvlConfusion    *self,
                             int              width,
                             int              height,
                             int              true_class,
                             int              predicted,
                             graphene_rect_t *area)
{
  Layout l;

  g_return_val_if_fail (CVL_IS_CONFUSION (self), FALSE);

  if (true_class < 0 || true_class >= N || predicted < 0 || predicted >= N ||
      !compute_layout (self, width, height, &l))
    return FALSE;
  graphene_rect_init (area, l.x0 + predicted * l.cell, l.y0 + true_class * l.cell, l.cell, l.cell);
  return TRUE;
}

gboolean
cvl_confusion_locate (CvlConfusion *self,
                      int           width,
                      int           height,
                      double        x,
                      double        y,
                      int          *true_class,
                      int          *predicted)
{
  Layout l;
  int t, p;

  g_return_val_if_fail (CVL_IS_CONFUSION (self), FALSE);

  if (!compute_layout (self, width, height, &l) || x < l.x0 || y < l.y0)
    return FALSE;
  p = (int) ((x - l.x0) / l.cell);
  t = (int) ((y - l.y0) / l.cell);
  if (t >= N || p >= N)
    return FALSE;
  *true_class = t;
  *predicted = p;
  return TRUE;
}

static void
lookup (GtkStyleContext *style,
        const char      *name,
        const char      *fallback,
        const GdkRGBA   *last_resort,
        GdkRGBA         *colour)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (style, name, colour) &&
      !gtk_style_context_lookup_color (style, fallback, colour))
    *colour = *last_resort;
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
show_centred (cairo_t     *cr,
              PangoLayout *layout,
              const char  *text,
              double       cx,
              double       cy)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, round (cx - w / 2.0), round (cy - h / 2.0));
  pango_cairo_show_layout (cr, layout);
}

void
cvl_confusion_draw (CvlConfusion *self,
                    cairo_t      *cr,
                    int           width,
                    int           height)
{
  g_autoptr (PangoLayout) layout = NULL;
  GtkStyleContext *style;
  GdkRGBA fg, good, good_fg, bad, bad_fg;
  PangoAttrList *attrs;
  Layout l;
  int text_w, text_h;
  double scale;

  g_return_if_fail (CVL_IS_CONFUSION (self));

  if (!compute_layout (self, width, height, &l))
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  style = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (style, &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  lookup (style, "success_bg_color", "accent_bg_color", &fg, &good);
  lookup (style, "success_fg_color", "accent_fg_color", &fg, &good_fg);
  lookup (style, "error_bg_color", "destructive_bg_color", &fg, &bad);
  lookup (style, "error_fg_color", "destructive_fg_color", &fg, &bad_fg);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);

  /* axis titles and digits */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.7);
  show_centred (cr, layout, _("Predicted"), l.x0 + N * l.cell / 2, l.line_h / 2.0);
  for (int i = 0; i < N; i++)
    {
      char digit[4];

      g_snprintf (digit, sizeof digit, "%d", i);
      show_centred (cr, layout, digit, l.x0 + (i + 0.5) * l.cell, l.y0 - PAD / 2 - l.line_h / 2.0);
      show_centred (cr, layout, digit, l.x0 - PAD - l.digit_w / 2.0, l.y0 + (i + 0.5) * l.cell);
    }
  {
    int w;

    pango_layout_set_text (layout, _("True"), -1);
    pango_layout_get_pixel_size (layout, &w, NULL);
    cairo_save (cr);
    cairo_move_to (cr, l.x0 - PAD - l.digit_w - PAD - l.line_h, round (l.y0 + N * l.cell / 2 + w / 2.0));
    cairo_rotate (cr, -G_PI / 2);
    pango_cairo_show_layout (cr, layout);
    cairo_restore (cr);
  }

  /* counts shrink to fit the cells: "1135" is the widest MNIST count */
  pango_layout_set_text (layout, "8888", -1);
  pango_layout_get_pixel_size (layout, &text_w, &text_h);
  scale = MIN (1.0, (l.cell - 4) / text_w);

  for (int t = 0; t < N; t++)
    for (int p = 0; p < N; p++)
      {
        double x = l.x0 + p * l.cell, y = l.y0 + t * l.cell;
        double rate = cvl_confusion_get_rate (self, t, p);
        guint32 count = self->counts[t * N + p];
        const GdkRGBA *fill = t == p ? &good : &bad, *ink = t == p ? &good_fg : &bad_fg;
        /* √ lifts the 1% mistakes out of the background */
        double alpha = count > 0 ? 0.15 + 0.85 * sqrt (rate) : 0;

        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.04);
        cairo_rectangle (cr, x + 0.5, y + 0.5, l.cell - 1, l.cell - 1);
        cairo_fill (cr);
        if (alpha > 0)
          {
            cairo_set_source_rgba (cr, fill->red, fill->green, fill->blue, fill->alpha * alpha);
            cairo_rectangle (cr, x + 0.5, y + 0.5, l.cell - 1, l.cell - 1);
            cairo_fill (cr);
          }

        if (self->valid && scale * text_h <= l.cell - 2 && scale > 0.4)
          {
            char text[16];

            attrs = pango_attr_list_new ();
            pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
            if (t == p)
              pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
            pango_layout_set_attributes (layout, attrs);
            pango_attr_list_unref (attrs);
            if (alpha > 0.55)
              gdk_cairo_set_source_rgba (cr, ink);
            else
              cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * (count > 0 ? 1 : 0.35));
            g_snprintf (text, sizeof text, "%u", count);
            show_centred (cr, layout, text, x + l.cell / 2, y + l.cell / 2);
            pango_layout_set_attributes (layout, NULL);
          }
      }

  if (self->hover_true >= 0)
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.8);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, l.x0 + self->hover_pred * l.cell + 1, l.y0 + self->hover_true * l.cell + 1,
                       l.cell - 2, l.cell - 2);
      cairo_stroke (cr);
    }
}

static void
set_hover (CvlConfusion *self,
           int           t,
           int           p)
{
  if (t == self->hover_true && p == self->hover_pred)
    return;
  self->hover_true = t;
  self->hover_pred = p;
  if (t >= 0 && self->valid)
    {
      /* Translators: true digit, predicted digit, the count and its share of that digit's row */
      g_autofree char *text = g_strdup_printf (_("True %d, predicted %d: %u (%.1f%% of the %ds)"),
                                               t, p, self->counts[t * N + p],
                                               100 * cvl_confusion_get_rate (self, t, p), t);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), text);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[HOVER], 0, t, p);
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           CvlConfusion             *self)
{
  int t, p;

  if (cvl_confusion_locate (self, gtk_widget_get_width (GTK_WIDGET (self)),
                            gtk_widget_get_height (GTK_WIDGET (self)), x, y, &t, &p))
    set_hover (self, t, p);
  else
    set_hover (self, -1, -1);
}

static void
on_leave (GtkEventControllerMotion *motion,
          CvlConfusion             *self)
{
  set_hover (self, -1, -1);
}

static void
on_released (GtkGestureClick *click,
             int              n_press,
             double           x,
             double           y,
             CvlConfusion    *self)
{
  int t, p;

  if (self->valid && cvl_confusion_locate (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                           gtk_widget_get_height (GTK_WIDGET (self)), x, y, &t, &p))
    g_signal_emit (self, signals[CELL_ACTIVATED], 0, t, p);
}

/* Arrows move the highlighted cell, Enter or Space activates it: the
 * matrix works without a mouse. */
static gboolean
on_key (GtkEventControllerKey *key,
        guint                  keyval,
        guint                  keycode,
        GdkModifierType        state,
        CvlConfusion          *self)
{
  int t = MAX (self->hover_true, 0), p = MAX (self->hover_pred, 0);

  if (!self->valid || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_KP_Up:
      t = self->hover_true < 0 ? 0 : MAX (t - 1, 0);
      break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down:
      t = self->hover_true < 0 ? 0 : MIN (t + 1, N - 1);
      break;
    case GDK_KEY_Left: case GDK_KEY_KP_Left:
      p = self->hover_pred < 0 ? 0 : MAX (p - 1, 0);
      break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right:
      p = self->hover_pred < 0 ? 0 : MIN (p + 1, N - 1);
      break;
    case GDK_KEY_Return: case GDK_KEY_KP_Enter: case GDK_KEY_space:
      if (self->hover_true >= 0)
        g_signal_emit (self, signals[CELL_ACTIVATED], 0, self->hover_true, self->hover_pred);
      return self->hover_true >= 0;
    default:
      return FALSE;
    }
  set_hover (self, t, p);
  return TRUE;
}

static void
cvl_confusion_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cvl_confusion_draw (CVL_CONFUSION (widget), cr, w, h);
  cairo_destroy (cr);
}

static GtkSizeRequestMode
cvl_confusion_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cvl_confusion_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, "0");
  int digit_w, line_h, left, top;

  pango_layout_get_pixel_size (layout, &digit_w, &line_h);
  left = line_h + PAD + digit_w + PAD;
  top = line_h + PAD + line_h + PAD / 2;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = left + N * 12;
      *natural = left + N * 40;
    }
  else
    {
      /* square cells for the width given */
      int width = for_size > 0 ? for_size : left + N * 40;

      *minimum = top + N * 12;
      *natural = MAX (*minimum, top + N * (int) floor ((double) (width - left) / N));
    }
}

static void
cvl_confusion_class_init (CvlConfusionClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = cvl_confusion_snapshot;
  widget_class->measure = cvl_confusion_measure;
  widget_class->get_request_mode = cvl_confusion_get_request_mode;

  signals[HOVER] = g_signal_new ("hover", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  signals[CELL_ACTIVATED] = g_signal_new ("cell-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  gtk_widget_class_set_css_name (widget_class, "cvl-confusion");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cvl_confusion_init (CvlConfusion *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->hover_true = self->hover_pred = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Confusion matrix"), -1);
}

GtkWidget *
cvl_confusion_new (void)
{
  return g_object_new (CVL_TYPE_CONFUSION, NULL);
}
