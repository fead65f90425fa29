/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Draws one CvlInspection as a table of taps: each cell's background is the
 * input value as a grey level (so the cells read as a tiny crop of the
 * image), with the input value and the product weight × input written on it.
 * Taps that fell into the padding are outlined with a dashed border. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-inspector.h"

#define CELL_W_NAT 58
#define CELL_W_MIN 34
#define CELL_H     50
#define GAP        2

struct _CvlInspector
{
  GtkWidget     parent_instance;

  gboolean      valid;
  CvlInspection inspection;
};

G_DEFINE_FINAL_TYPE (CvlInspector, cvl_inspector, GTK_TYPE_WIDGET)

gboolean
cvl_inspector_has_inspection (CvlInspector *self)
{
  return self->valid;
}

void
cvl_inspector_set_inspection (CvlInspector        *self,
                              const CvlInspection *inspection)
{
  gboolean resized;

  g_return_if_fail (CVL_IS_INSPECTOR (self));

  resized = (inspection != NULL) != self->valid
    || (inspection != NULL && (inspection->k_w != self->inspection.k_w
                               || inspection->k_h != self->inspection.k_h));
  self->valid = inspection != NULL;
  if (inspection != NULL)
    self->inspection = *inspection;
  if (resized)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cvl_inspector_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  CvlInspector *self = CVL_INSPECTOR (widget);
  int kw = self->valid ? self->inspection.k_w : 3;
  int kh = self->valid ? self->inspection.k_h : 3;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = kw * (CELL_W_MIN + GAP);
      *natural = kw * (CELL_W_NAT + GAP);
    }
  else
    {
      *minimum = *natural = kh * (CELL_H + GAP);
    }
}

static void
show_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       cx,
           double       y)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, cx - w / 2.0, y);
  pango_cairo_show_layout (cr, layout);
}

void
cvl_inspector_draw (CvlInspector *self,
                    cairo_t      *cr,
                    int           width,
                    int           height)
{
  const CvlInspection *in = &self->inspection;
  g_autoptr (PangoLayout) layout = NULL;
  PangoFontDescription *font;
  PangoAttrList *bold;
  double cell_w, cell_h;

  if (!self->valid)
    return;

  cell_w = MIN (CELL_W_NAT, (double) width / in->k_w) - GAP;
  cell_h = MIN (CELL_H, (double) height / in->k_h) - GAP;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  font = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));
  pango_font_description_set_absolute_size (font, MIN (10.0, MIN (cell_w / 5.0, cell_h / 3.6)) * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  bold = pango_attr_list_new ();
  pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));

  for (int ky = 0; ky < in->k_h; ky++)
    for (int kx = 0; kx < in->k_w; kx++)
      {
        int tap = ky * in->k_w + kx;
        double x = kx * (cell_w + GAP), y = ky * (cell_h + GAP);
        /* The cell shows the pixel itself, so its colours are data, not theme. */
        double grey = CLAMP (in->input[tap], 0.0, 1.0);
        double ink = grey > 0.55 ? 0.0 : 1.0;
        char value[32], weight[32], product[32];

        cairo_rectangle (cr, x, y, cell_w, cell_h);
        cairo_set_source_rgb (cr, grey, grey, grey);
        cairo_fill_preserve (cr);
        cairo_set_source_rgba (cr, ink, ink, ink, 0.35);
        cairo_set_line_width (cr, 1);
        if (in->padded[tap])
          cairo_set_dash (cr, (double[]) { 3, 2 }, 2, 0);
        cairo_stroke (cr);
        cairo_set_dash (cr, NULL, 0, 0);

        g_snprintf (value, sizeof value, "%.3g", in->input[tap]);
        g_snprintf (weight, sizeof weight, "× %.3g", in->weight[tap]);
        g_snprintf (product, sizeof product, "%.3g", in->weight[tap] * in->input[tap]);
        /* pixel, × weight, = product: one line each, the product in bold */
        cairo_set_source_rgba (cr, ink, ink, ink, 0.75);
        show_text (cr, layout, value, x + cell_w / 2, y + 2);
        show_text (cr, layout, weight, x + cell_w / 2, y + cell_h / 3);
        cairo_set_source_rgb (cr, ink, ink, ink);
        pango_layout_set_attributes (layout, bold);
        show_text (cr, layout, product, x + cell_w / 2, y + 2 * cell_h / 3 - 1);
        pango_layout_set_attributes (layout, NULL);
      }
  pango_attr_list_unref (bold);
}

static void
cvl_inspector_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (!CVL_INSPECTOR (widget)->valid || w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cvl_inspector_draw (CVL_INSPECTOR (widget), cr, w, h);
  cairo_destroy (cr);
}

static void
cvl_inspector_class_init (CvlInspectorClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->measure = cvl_inspector_measure;
  widget_class->snapshot = cvl_inspector_snapshot;
  gtk_widget_class_set_css_name (widget_class, "cvl-inspector");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cvl_inspector_init (CvlInspector *self)
{
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Input pixels under the kernel and their products"), -1);
}

GtkWidget *
cvl_inspector_new (void)
{
  return g_object_new (CVL_TYPE_INSPECTOR, NULL);
}
