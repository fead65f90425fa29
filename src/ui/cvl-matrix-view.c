/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Draws a matrix of floats as a nearest-neighbour scaled image. The colours
 * come from the core's display maps; set_data() prepares the surface once,
 * snapshot() only scales it. Height follows width so cells stay square. */
#include "config.h"

#include <math.h>

#include "cvl-map.h"
#include "cvl-matrix-view.h"
#include "cvl-surface.h"

struct _CvlMatrixView
{
  GtkWidget        parent_instance;

  float           *values;
  int              rows, cols;
  cairo_surface_t *surface;
  guint8          *pixels;
  gsize            capacity;
  int              hover_row, hover_col;
};

enum { HOVER, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CvlMatrixView, cvl_matrix_view, GTK_TYPE_WIDGET)

void
cvl_matrix_view_set_data (CvlMatrixView *self,
                          const float   *values,
                          int            rows,
                          int            cols,
                          CvlMap         map)
{
  CvlImage image = { .width = cols, .height = rows, .channels = 1 };
  gboolean resized;

  g_return_if_fail (CVL_IS_MATRIX_VIEW (self));
  g_return_if_fail (rows > 0 && cols > 0 && values != NULL);

  resized = rows * self->cols != cols * self->rows || self->rows == 0;
  self->values = g_renew (float, self->values, (gsize) rows * cols);
  memcpy (self->values, values, sizeof (float) * rows * cols);
  self->rows = rows;
  self->cols = cols;
  image.data = self->values;
  /* The old surface borrows the buffer about to be rewritten: drop it first. */
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  self->surface = cvl_surface_wrap_mapped (&image, NULL, map, &self->pixels, &self->capacity);
  if (resized)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
cvl_matrix_view_get_value (CvlMatrixView *self,
                           int            row,
                           int            col,
                           float         *value)
{
  if (row < 0 || col < 0 || row >= self->rows || col >= self->cols)
    return FALSE;
  *value = self->values[(gsize) row * self->cols + col];
  return TRUE;
}

static double
cell_size (CvlMatrixView *self,
           int            width,
           int            height)
{
  return MIN ((double) width / self->cols, (double) height / self->rows);
}

void
cvl_matrix_view_draw (CvlMatrixView *self,
                      cairo_t       *cr,
                      int            width,
                      int            height)
{
  double cell;

  if (self->surface == NULL)
    return;
  cell = cell_size (self, width, height);
  cairo_save (cr);
  cairo_scale (cr, cell, cell);
  cairo_set_source_surface (cr, self->surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);

  if (self->hover_row >= 0 && cell >= 3)
    {
      cairo_set_line_width (cr, 1);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.7);
      cairo_rectangle (cr, self->hover_col * cell + 0.5, self->hover_row * cell + 0.5,
                       cell - 1, cell - 1);
      cairo_stroke (cr);
    }
}

static void
cvl_matrix_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (CVL_MATRIX_VIEW (widget)->surface == NULL || w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cvl_matrix_view_draw (CVL_MATRIX_VIEW (widget), cr, w, h);
  cairo_destroy (cr);
}

static GtkSizeRequestMode
cvl_matrix_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cvl_matrix_view_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  CvlMatrixView *self = CVL_MATRIX_VIEW (widget);
  int rows = MAX (self->rows, 1), cols = MAX (self->cols, 1);

  int requested;

  /* The natural size is 256 px unless a width-request says otherwise. */
  gtk_widget_get_size_request (widget, &requested, NULL);
  requested = requested > 0 ? requested : 256;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 32;
      *natural = requested;
    }
  else
    {
      /* Centred views get their natural width, not for_size: size to that. */
      int width = for_size > 0 ? MIN (for_size, requested) : requested;

      *minimum = *natural = (int) ceil ((double) width * rows / cols);
    }
}

static void
set_hover (CvlMatrixView *self,
           int            row,
           int            col)
{
  if (row == self->hover_row && col == self->hover_col)
    return;
  self->hover_row = row;
  self->hover_col = col;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[HOVER], 0, row, col);
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           CvlMatrixView            *self)
{
  double cell;
  int row, col;

  if (self->surface == NULL)
    return;
  cell = cell_size (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)));
  row = (int) floor (y / cell);
  col = (int) floor (x / cell);
  if (row >= self->rows || col >= self->cols || row < 0 || col < 0)
    row = col = -1;
  set_hover (self, row, col);
}

static void
on_leave (GtkEventControllerMotion *motion,
          CvlMatrixView            *self)
{
  set_hover (self, -1, -1);
}

static void
cvl_matrix_view_finalize (GObject *object)
{
  CvlMatrixView *self = CVL_MATRIX_VIEW (object);

  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_free (self->pixels);
  g_free (self->values);
  G_OBJECT_CLASS (cvl_matrix_view_parent_class)->finalize (object);
}

static void
cvl_matrix_view_class_init (CvlMatrixViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cvl_matrix_view_finalize;
  widget_class->snapshot = cvl_matrix_view_snapshot;
  widget_class->measure = cvl_matrix_view_measure;
  widget_class->get_request_mode = cvl_matrix_view_get_request_mode;

  /* hover (row, col): the cell under the pointer, or (-1, -1). */
  signals[HOVER] = g_signal_new ("hover", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  gtk_widget_class_set_css_name (widget_class, "cvl-matrix-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cvl_matrix_view_init (CvlMatrixView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->hover_row = self->hover_col = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
cvl_matrix_view_new (void)
{
  return g_object_new (CVL_TYPE_MATRIX_VIEW, NULL);
}
