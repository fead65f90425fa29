/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Draws the ten class probabilities as labelled bars. Colours come from the
 * theme (foreground, accent), so light and dark styles both read well. */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-prob-bars.h"

#define N_CLASSES 10
#define ROW_H     22
#define LABEL_W   22
#define VALUE_W   56

struct _CvlProbBars
{
  GtkWidget parent_instance;

  gboolean  valid;
  float     probs[N_CLASSES];
};

G_DEFINE_FINAL_TYPE (CvlProbBars, cvl_prob_bars, GTK_TYPE_WIDGET)

void
cvl_prob_bars_set (CvlProbBars *self,
                   const float *probs)
{
  g_return_if_fail (CVL_IS_PROB_BARS (self));

  self->valid = probs != NULL;
  if (probs != NULL)
    memcpy (self->probs, probs, sizeof self->probs);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cvl_prob_bars_draw (CvlProbBars *self,
                    cairo_t     *cr,
                    int          width,
                    int          height)
{
  GtkStyleContext *style;
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  GdkRGBA fg, accent;
  int best = 0;
  double bar_w = MAX (0, width - LABEL_W - VALUE_W);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  style = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (style, &fg);
  if (!gtk_style_context_lookup_color (style, "accent_bg_color", &accent))
    accent = fg;
  G_GNUC_END_IGNORE_DEPRECATIONS

  for (int i = 1; i < N_CLASSES; i++)
    if (self->probs[i] > self->probs[best])
      best = i;

  for (int i = 0; i < N_CLASSES; i++)
    {
      double y = i * ROW_H;
      char text[16];
      int tw, th;

      g_snprintf (text, sizeof text, "%d", i);
      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, (LABEL_W - tw) / 2.0, y + (ROW_H - th) / 2.0);
      pango_cairo_show_layout (cr, layout);

      /* The track, then the bar. */
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.08);
      cairo_rectangle (cr, LABEL_W, y + 4, bar_w, ROW_H - 8);
      cairo_fill (cr);
      if (!self->valid)
        continue;
      if (i == best)
        gdk_cairo_set_source_rgba (cr, &accent);
      else
        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.45);
      cairo_rectangle (cr, LABEL_W, y + 4, bar_w * CLAMP (self->probs[i], 0.f, 1.f), ROW_H - 8);
      cairo_fill (cr);

      g_snprintf (text, sizeof text, "%.1f%%", 100.0 * self->probs[i]);
      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, width - tw, y + (ROW_H - th) / 2.0);
      pango_cairo_show_layout (cr, layout);
    }
}

static void
cvl_prob_bars_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cvl_prob_bars_draw (CVL_PROB_BARS (widget), cr, w, h);
  cairo_destroy (cr);
}

static void
cvl_prob_bars_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LABEL_W + VALUE_W + 60;
      *natural = LABEL_W + VALUE_W + 240;
    }
  else
    *minimum = *natural = N_CLASSES * ROW_H;
}

static void
cvl_prob_bars_class_init (CvlProbBarsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = cvl_prob_bars_snapshot;
  widget_class->measure = cvl_prob_bars_measure;
  gtk_widget_class_set_css_name (widget_class, "cvl-prob-bars");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cvl_prob_bars_init (CvlProbBars *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Probability of each digit"), -1);
}

GtkWidget *
cvl_prob_bars_new (void)
{
  return g_object_new (CVL_TYPE_PROB_BARS, NULL);
}
