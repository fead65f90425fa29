/* SPDX-License-Identifier: GPL-3.0-or-later */
/* set_data() maps all tiles at once into one surface, stacked [n·h, w],
 * with the core's signed map (per-tile scaling divides each tile by its own
 * max |v| first); drawing only scales parts of that surface onto the grid. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-filter-grid.h"
#include "cvl-map.h"
#include "cvl-surface.h"

#define GAP 2 /* px between tiles */

struct _CvlFilterGrid
{
  GtkWidget        parent_instance;

  float           *values;     /* [n, h, w] as given */
  float           *scaled;     /* [n, h, w] as mapped */
  gsize            capacity;   /* floats in values and scaled */
  int              n, h, w;
  cairo_surface_t *surface;    /* borrows pixels */
  guint8          *pixels;
  gsize            pixels_capacity;

  gboolean         shared_scale;
  gboolean         show_labels;
  int              columns;
  int              selected;
  int              hover_tile, hover_row, hover_col;
};

typedef struct
{
  int    columns, rows;
  double cell;        /* px per value */
  double x0, y0;      /* the grid's top left */
  double pitch_x, pitch_y;
  int    label_h;
} Layout;

enum { PROP_0, PROP_SHARED_SCALE, PROP_SHOW_LABELS, PROP_COLUMNS, PROP_SELECTED, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { HOVER, TILE_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CvlFilterGrid, cvl_filter_grid, GTK_TYPE_WIDGET)

static void
remap (CvlFilterGrid *self)
{
  gsize tile = (gsize) self->h * self->w;
  CvlImage image = { .width = self->w, .height = self->n * self->h, .channels = 1 };

  g_clear_pointer (&self->surface, cairo_surface_destroy);
  if (self->n == 0)
    return;

  if (self->shared_scale)
    image.data = self->values;
  else
    {
      /* each tile to max |v| = 1, so the shared map scales every tile alike */
      for (int t = 0; t < self->n; t++)
        {
          const float *src = self->values + t * tile;
          float *dst = self->scaled + t * tile, m = 0;

          for (gsize i = 0; i < tile; i++)
            m = fmaxf (m, fabsf (src[i]));
          for (gsize i = 0; i < tile; i++)
            dst[i] = m > 0 && isfinite (m) ? src[i] / m : 0;
        }
      image.data = self->scaled;
    }
  self->surface = cvl_surface_wrap_mapped (&image, NULL, CVL_MAP_SIGNED, &self->pixels,
                                           &self->pixels_capacity);
}

void
cvl_filter_grid_set_data (CvlFilterGrid *self,
                          const float   *values,
                          int            n,
                          int            h,
                          int            w)
{
  gboolean reshaped;
  gsize count;

  g_return_if_fail (CVL_IS_FILTER_GRID (self));
  g_return_if_fail (n >= 0 && (n == 0 || (h > 0 && w > 0)));
  g_return_if_fail (values != NULL || n == 0);
  g_return_if_fail (n == 0 || (gsize) n * h <= G_MAXINT / (gsize) w);

  if (values == NULL)
    n = h = w = 0;
  reshaped = n != self->n || h != self->h || w != self->w;
  count = (gsize) n * h * w;
  if (count > self->capacity)
    {
      /* the surface borrows the pixels, not these: safe to grow */
      self->values = g_renew (float, self->values, count);
      self->scaled = g_renew (float, self->scaled, count);
      self->capacity = count;
    }
  if (count > 0)
    memcpy (self->values, values, count * sizeof (float));
  self->n = n;
  self->h = h;
  self->w = w;
  if (reshaped)
    {
      if (self->selected >= n)
        cvl_filter_grid_set_selected (self, -1);
      self->hover_tile = -1;
    }
  remap (self);
  if (reshaped)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
cvl_filter_grid_get_n_tiles (CvlFilterGrid *self)
{
  g_return_val_if_fail (CVL_IS_FILTER_GRID (self), 0);
  return self->n;
}

gboolean
cvl_filter_grid_get_value (CvlFilterGrid *self,
                           int            tile,
                           int            row,
                           int            col,
                           float         *value)
{
  g_return_val_if_fail (CVL_IS_FILTER_GRID (self), FALSE);

  if (tile < 0 || row < 0 || col < 0 || tile >= self->n || row >= self->h || col >= self->w)
    return FALSE;
  *value = self->values[((gsize) tile * self->h + row) * self->w + col];
  return TRUE;
}

/* 32 → 8 columns, 64 → 8, 10 → 5: a divisor near √n when there is one. */
static int
tidy_columns (int n)
{
  int c = (int) ceil (sqrt (n));

  for (int k = c; k <= MAX (c, (int) (1.5 * sqrt (n))); k++)
    if (n % k == 0)
      return k;
  return MAX (c, 1);
}

static int
label_height (CvlFilterGrid *self)
{
  g_autoptr (PangoLayout) layout = NULL;
  int h;

  if (!self->show_labels)
    return 0;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0");
  pango_layout_get_pixel_size (layout, NULL, &h);
  return h;
}

static gboolean
compute_layout (CvlFilterGrid *self,
                int            width,
                int            height,
                Layout        *l)
{
  double cx, cy;

  if (self->n == 0 || width <= 0 || height <= 0)
    return FALSE;
  l->columns = self->columns > 0 ? MIN (self->columns, self->n) : tidy_columns (self->n);
  l->rows = (self->n + l->columns - 1) / l->columns;
  l->label_h = label_height (self);
  cx = (width - (l->columns - 1) * GAP) / (double) (l->columns * self->w);
  cy = (height - (l->rows - 1) * GAP - l->rows * l->label_h) / (double) (l->rows * self->h);
  l->cell = MIN (cx, cy);
  if (l->cell <= 0)
    return FALSE;
  /* whole pixels per value when there is room: crisp edges */
  if (l->cell >= 2)
    l->cell = floor (l->cell);
  l->pitch_x = l->cell * self->w + GAP;
  l->pitch_y = l->cell * self->h + l->label_h + GAP;
  l->x0 = floor ((width - (l->columns * l->pitch_x - GAP)) / 2);
  l->y0 = floor ((height - (l->rows * l->pitch_y - GAP)) / 2);
  return TRUE;
}

static void
tile_origin (CvlFilterGrid *self,
             const Layout  *l,
             int            tile,
             double        *x,
             double        *y)
{
  *x = l->x0 + (tile % l->columns) * l->pitch_x;
  *y = l->y0 + (tile / l->columns) * l->pitch_y;
}

gboolean
cvl_filter_grid_get_tile_area (CvlFilterGrid   *self,
                               int              width,
                               int              height,
                               int              tile,
                               graphene_rect_t *area)
{
  Layout l;
  double x, y;

  g_return_val_if_fail (CVL_IS_FILTER_GRID (self), FALSE);

  if (tile < 0 || tile >= self->n || !compute_layout (self, width, height, &l))
    return FALSE;
  tile_origin (self, &l, tile, &x, &y);
  graphene_rect_init (area, x, y, l.cell * self->w, l.cell * self->h);
  return TRUE;
}

gboolean
cvl_filter_grid_locate (CvlFilterGrid *self,
                        int            width,
                        int            height,
                        double         x,
                        double         y,
                        int           *tile,
                        int           *row,
                        int           *col)
{
  Layout l;
  int c, r, t;
  double tx, ty;

  g_return_val_if_fail (CVL_IS_FILTER_GRID (self), FALSE);

  if (!compute_layout (self, width, height, &l) || x < l.x0 || y < l.y0)
    return FALSE;
  c = (int) ((x - l.x0) / l.pitch_x);
  r = (int) ((y - l.y0) / l.pitch_y);
  t = r * l.columns + c;
  if (c >= l.columns || t >= self->n)
    return FALSE;
  tile_origin (self, &l, t, &tx, &ty);
  if (x - tx >= l.cell * self->w || y - ty >= l.cell * self->h)
    return FALSE; /* a gap or a label */
  *tile = t;
  *row = MIN ((int) ((y - ty) / l.cell), self->h - 1);
  *col = MIN ((int) ((x - tx) / l.cell), self->w - 1);
  return TRUE;
}

void
cvl_filter_grid_draw (CvlFilterGrid *self,
                      cairo_t       *cr,
                      int            width,
                      int            height)
{
  g_autoptr (PangoLayout) layout = NULL;
  GtkStyleContext *style;
  GdkRGBA fg, accent;
  Layout l;

  g_return_if_fail (CVL_IS_FILTER_GRID (self));

  if (self->surface == NULL || !compute_layout (self, width, height, &l))
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  style = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (style, &fg);
  if (!gtk_style_context_lookup_color (style, "accent_color", &accent))
    accent = fg;
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (self->show_labels)
    layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);

  for (int t = 0; t < self->n; t++)
    {
      double x, y, tw = l.cell * self->w, th = l.cell * self->h;

      tile_origin (self, &l, t, &x, &y);
      cairo_save (cr);
      cairo_rectangle (cr, x, y, tw, th);
      cairo_clip (cr);
      cairo_translate (cr, x, y);
      cairo_scale (cr, l.cell, l.cell);
      cairo_set_source_surface (cr, self->surface, 0, -t * self->h);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);

      if (layout != NULL)
        {
          char text[16];
          int lw;

          g_snprintf (text, sizeof text, "%d", t);
          pango_layout_set_text (layout, text, -1);
          pango_layout_get_pixel_size (layout, &lw, NULL);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * (t == self->selected ? 1 : 0.6));
          cairo_move_to (cr, round (x + (tw - lw) / 2), y + th);
          pango_cairo_show_layout (cr, layout);
        }

      if (t == self->selected || t == self->hover_tile)
        {
          gboolean sel = t == self->selected;

          cairo_set_line_width (cr, sel ? 2 : 1);
          if (sel)
            gdk_cairo_set_source_rgba (cr, &accent);
          else
            cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.7);
          cairo_rectangle (cr, x - (sel ? 1 : 0.5), y - (sel ? 1 : 0.5), tw + (sel ? 2 : 1),
                           th + (sel ? 2 : 1));
          cairo_stroke (cr);
        }
    }
}

/* ---- Input -------------------------------------------------------------- */

static void
set_hover (CvlFilterGrid *self,
           int            tile,
           int            row,
           int            col)
{
  float v;

  if (tile == self->hover_tile && row == self->hover_row && col == self->hover_col)
    return;
  if (tile != self->hover_tile)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  self->hover_tile = tile;
  self->hover_row = row;
  self->hover_col = col;
  if (cvl_filter_grid_get_value (self, tile, row, col, &v))
    {
      /* Translators: tile number, row, column (from 1) and the value */
      g_autofree char *text = g_strdup_printf (_("Tile %d, row %d, column %d: %.4g"), tile,
                                               row + 1, col + 1, v);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), text);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
  g_signal_emit (self, signals[HOVER], 0, tile, row, col);
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           CvlFilterGrid            *self)
{
  int tile, row, col;

  if (cvl_filter_grid_locate (self, gtk_widget_get_width (GTK_WIDGET (self)),
                              gtk_widget_get_height (GTK_WIDGET (self)), x, y, &tile, &row, &col))
    set_hover (self, tile, row, col);
  else
    set_hover (self, -1, -1, -1);
}

static void
on_leave (GtkEventControllerMotion *motion,
          CvlFilterGrid            *self)
{
  set_hover (self, -1, -1, -1);
}

static void
on_released (GtkGestureClick *click,
             int              n_press,
             double           x,
             double           y,
             CvlFilterGrid   *self)
{
  int tile, row, col;

  if (!cvl_filter_grid_locate (self, gtk_widget_get_width (GTK_WIDGET (self)),
                               gtk_widget_get_height (GTK_WIDGET (self)), x, y, &tile, &row, &col))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  cvl_filter_grid_set_selected (self, tile);
  g_signal_emit (self, signals[TILE_ACTIVATED], 0, tile);
}

static gboolean
on_key_pressed (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CvlFilterGrid         *self)
{
  int columns = self->columns > 0 ? MIN (self->columns, self->n) : tidy_columns (self->n);
  int sel = self->selected, next = sel;

  if (self->n == 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left:
      next = sel - 1;
      break;
    case GDK_KEY_Right:
      next = sel + 1;
      break;
    case GDK_KEY_Up:
      next = sel - columns;
      break;
    case GDK_KEY_Down:
      next = sel < 0 ? 0 : sel + columns;
      break;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      if (sel < 0)
        return FALSE;
      g_signal_emit (self, signals[TILE_ACTIVATED], 0, sel);
      return TRUE;
    default:
      return FALSE;
    }
  if (sel < 0)
    next = 0;
  if (next < 0 || next >= self->n)
    return TRUE; /* at an edge: keep focus here */
  cvl_filter_grid_set_selected (self, next);
  return TRUE;
}

/* ---- Properties --------------------------------------------------------- */

void
cvl_filter_grid_set_shared_scale (CvlFilterGrid *self,
                                  gboolean       shared_scale)
{
  g_return_if_fail (CVL_IS_FILTER_GRID (self));

  shared_scale = !!shared_scale;
  if (shared_scale == self->shared_scale)
    return;
  self->shared_scale = shared_scale;
  remap (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARED_SCALE]);
}

gboolean
cvl_filter_grid_get_shared_scale (CvlFilterGrid *self)
{
  g_return_val_if_fail (CVL_IS_FILTER_GRID (self), TRUE);
  return self->shared_scale;
}

void
cvl_filter_grid_set_show_labels (CvlFilterGrid *self,
                                 gboolean       show_labels)
{
  g_return_if_fail (CVL_IS_FILTER_GRID (self));

  show_labels = !!show_labels;
  if (show_labels == self->show_labels)
    return;
  self->show_labels = show_labels;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_LABELS]);
}

gboolean
cvl_filter_grid_get_show_labels (CvlFilterGrid *self)
{
  g_return_val_if_fail (CVL_IS_FILTER_GRID (self), FALSE);
  return self->show_labels;
}

void
cvl_filter_grid_set_columns (CvlFilterGrid *self,
                             int            columns)
{
  g_return_if_fail (CVL_IS_FILTER_GRID (self));
  g_return_if_fail (columns >= 0);

  if (columns == self->columns)
    return;
  self->columns = columns;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLUMNS]);
}

int
cvl_filter_grid_get_columns (CvlFilterGrid *self)
{
  g_return_val_if_fail (CVL_IS_FILTER_GRID (self), 0);
  return self->columns;
}

void
cvl_filter_grid_set_selected (CvlFilterGrid *self,
                              int            tile)
{
  g_return_if_fail (CVL_IS_FILTER_GRID (self));
  g_return_if_fail (tile >= -1);

  if (tile >= self->n)
    tile = -1;
  if (tile == self->selected)
    return;
  self->selected = tile;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

int
cvl_filter_grid_get_selected (CvlFilterGrid *self)
{
  g_return_val_if_fail (CVL_IS_FILTER_GRID (self), -1);
  return self->selected;
}

/* ---- GtkWidget ---------------------------------------------------------- */

static void
cvl_filter_grid_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (CVL_FILTER_GRID (widget)->surface == NULL || w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cvl_filter_grid_draw (CVL_FILTER_GRID (widget), cr, w, h);
  cairo_destroy (cr);
}

static GtkSizeRequestMode
cvl_filter_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cvl_filter_grid_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  CvlFilterGrid *self = CVL_FILTER_GRID (widget);
  int n = MAX (self->n, 1), h = MAX (self->h, 1), w = MAX (self->w, 1);
  int columns = self->columns > 0 ? MIN (self->columns, n) : tidy_columns (n);
  int rows = (n + columns - 1) / columns;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* a pixel per value at least; about 6 for 5×5 filters */
      *minimum = columns * (w + GAP);
      *natural = MAX (*minimum, MIN (columns * (MAX (6 * w, 24) + GAP), 720));
    }
  else
    {
      int width = for_size > 0 ? for_size : columns * (MAX (6 * w, 24) + GAP);
      double cell = MAX (1.0, (double) (width - (columns - 1) * GAP) / (columns * w));

      if (cell >= 2)
        cell = floor (cell);
      *minimum = rows * (h + GAP + label_height (self));
      *natural = (int) ceil (rows * (cell * h + label_height (self)) + (rows - 1) * GAP);
      *natural = MAX (*natural, *minimum);
    }
}

static void
cvl_filter_grid_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CvlFilterGrid *self = CVL_FILTER_GRID (object);

  switch (prop_id)
    {
    case PROP_SHARED_SCALE:
      g_value_set_boolean (value, self->shared_scale);
      break;
    case PROP_SHOW_LABELS:
      g_value_set_boolean (value, self->show_labels);
      break;
    case PROP_COLUMNS:
      g_value_set_int (value, self->columns);
      break;
    case PROP_SELECTED:
      g_value_set_int (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_filter_grid_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CvlFilterGrid *self = CVL_FILTER_GRID (object);

  switch (prop_id)
    {
    case PROP_SHARED_SCALE:
      cvl_filter_grid_set_shared_scale (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_LABELS:
      cvl_filter_grid_set_show_labels (self, g_value_get_boolean (value));
      break;
    case PROP_COLUMNS:
      cvl_filter_grid_set_columns (self, g_value_get_int (value));
      break;
    case PROP_SELECTED:
      cvl_filter_grid_set_selected (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_filter_grid_finalize (GObject *object)
{
  CvlFilterGrid *self = CVL_FILTER_GRID (object);

  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_free (self->pixels);
  g_free (self->values);
  g_free (self->scaled);
  G_OBJECT_CLASS (cvl_filter_grid_parent_class)->finalize (object);
}

static void
cvl_filter_grid_class_init (CvlFilterGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cvl_filter_grid_finalize;
  object_class->get_property = cvl_filter_grid_get_property;
  object_class->set_property = cvl_filter_grid_set_property;
  widget_class->snapshot = cvl_filter_grid_snapshot;
  widget_class->measure = cvl_filter_grid_measure;
  widget_class->get_request_mode = cvl_filter_grid_get_request_mode;

  properties[PROP_SHARED_SCALE] =
    g_param_spec_boolean ("shared-scale", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_LABELS] =
    g_param_spec_boolean ("show-labels", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COLUMNS] =
    g_param_spec_int ("columns", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTED] =
    g_param_spec_int ("selected", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[HOVER] = g_signal_new ("hover", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT);
  signals[TILE_ACTIVATED] = g_signal_new ("tile-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_css_name (widget_class, "cvl-filter-grid");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cvl_filter_grid_init (CvlFilterGrid *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *key = gtk_event_controller_key_new ();

  self->shared_scale = TRUE;
  self->selected = -1;
  self->hover_tile = self->hover_row = self->hover_col = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Filters"), -1);
}

GtkWidget *
cvl_filter_grid_new (void)
{
  return g_object_new (CVL_TYPE_FILTER_GRID, NULL);
}
