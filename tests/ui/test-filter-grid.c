/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlFilterGrid: signed colours (0 neutral), shared versus per-tile scale,
 * layout and hit-testing, hover, click and keyboard activation, and updates.
 * Set CVL_TEST_SHOTS to a folder to keep a PNG of 32 filters. */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "cvl-filter-grid.h"
#include "ui-test-util.h"

typedef struct { int r, g, b, a; } Rgba;

static cairo_surface_t *
render (CvlFilterGrid *grid, int w, int h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);

  cvl_filter_grid_draw (grid, cr, w, h);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static Rgba
pixel (cairo_surface_t *s, double x, double y)
{
  const guint8 *row = cairo_image_surface_get_data (s) + (int) y * cairo_image_surface_get_stride (s);
  guint32 v = ((const guint32 *) row)[(int) x];

  return (Rgba) { (v >> 16) & 255, (v >> 8) & 255, v & 255, v >> 24 };
}

/* The centre of cell (row, col) of a tile. */
static Rgba
cell_colour (CvlFilterGrid *grid, cairo_surface_t *s, int tile, int row, int col, int w)
{
  graphene_rect_t area;
  double cell;

  g_assert_true (cvl_filter_grid_get_tile_area (grid, cairo_image_surface_get_width (s),
                                                cairo_image_surface_get_height (s), tile, &area));
  cell = area.size.width / w;
  return pixel (s, area.origin.x + (col + 0.5) * cell, area.origin.y + (row + 0.5) * cell);
}

/* [3, 5, 5]: tile 0 has +1 at (0, 0) and −1 at (0, 1); tile 1 a faint 0.01. */
static void
three_tiles (float values[75])
{
  memset (values, 0, 75 * sizeof (float));
  values[0] = 1;
  values[1] = -1;
  values[25 + 2 * 5 + 2] = 0.01f;
  values[50 + 4 * 5 + 4] = -0.5f;
}

static CvlFilterGrid *
new_grid (GtkWidget **window, gboolean present)
{
  CvlFilterGrid *grid = CVL_FILTER_GRID (cvl_filter_grid_new ());

  *window = window_with (GTK_WIDGET (grid), 360, 160, present);
  return grid;
}

static void
test_signed_colours (void)
{
  GtkWidget *window;
  CvlFilterGrid *grid = new_grid (&window, FALSE);
  cairo_surface_t *s;
  float values[75];
  Rgba pos, neg, zero;

  three_tiles (values);
  cvl_filter_grid_set_data (grid, values, 3, 5, 5);
  g_assert_cmpint (cvl_filter_grid_get_n_tiles (grid), ==, 3);
  s = render (grid, 360, 160);
  pos = cell_colour (grid, s, 0, 0, 0, 5);
  neg = cell_colour (grid, s, 0, 0, 1, 5);
  zero = cell_colour (grid, s, 0, 2, 2, 5);

  /* positive warm, negative cool, zero a neutral grey, all opaque */
  g_assert_cmpint (pos.r, >, pos.b + 80);
  g_assert_cmpint (neg.b, >, neg.r + 80);
  g_assert_cmpint (abs (zero.r - zero.g), <, 6);
  g_assert_cmpint (abs (zero.g - zero.b), <, 6);
  g_assert_cmpint (zero.r, >, 150);
  g_assert_cmpint (pos.a, ==, 255);
  g_assert_cmpint (zero.a, ==, 255);
  /* the gap between tiles is left undrawn */
  {
    graphene_rect_t a0;

    g_assert_true (cvl_filter_grid_get_tile_area (grid, 360, 160, 0, &a0));
    g_assert_cmpint (pixel (s, a0.origin.x + a0.size.width + 1, a0.origin.y + 2).a, ==, 0);
  }
  cairo_surface_destroy (s);
  destroy_window (window);
}

static void
test_shared_or_per_tile_scale (void)
{
  GtkWidget *window;
  CvlFilterGrid *grid = new_grid (&window, FALSE);
  cairo_surface_t *s;
  float values[75];
  Rgba faint;
  float v;

  three_tiles (values);
  cvl_filter_grid_set_data (grid, values, 3, 5, 5);
  g_assert_true (cvl_filter_grid_get_shared_scale (grid));

  /* shared: 0.01 against a max of 1 is barely off neutral */
  s = render (grid, 360, 160);
  faint = cell_colour (grid, s, 1, 2, 2, 5);
  g_assert_cmpint (abs (faint.r - faint.b), <, 12);
  cairo_surface_destroy (s);

  /* per tile: it is that tile's max, so fully warm */
  cvl_filter_grid_set_shared_scale (grid, FALSE);
  s = render (grid, 360, 160);
  faint = cell_colour (grid, s, 1, 2, 2, 5);
  g_assert_cmpint (faint.r, >, faint.b + 80);
  faint = cell_colour (grid, s, 2, 4, 4, 5);
  g_assert_cmpint (faint.b, >, faint.r + 80);
  cairo_surface_destroy (s);

  /* values read back as given, not as scaled */
  g_assert_true (cvl_filter_grid_get_value (grid, 1, 2, 2, &v));
  g_assert_cmpfloat_with_epsilon (v, 0.01, 1e-7);
  g_assert_false (cvl_filter_grid_get_value (grid, 3, 0, 0, &v));
  g_assert_false (cvl_filter_grid_get_value (grid, 0, 5, 0, &v));
  destroy_window (window);
}

static void
test_layout_and_locate (void)
{
  GtkWidget *window;
  CvlFilterGrid *grid = new_grid (&window, FALSE);
  g_autofree float *values = g_new0 (float, 32 * 25);
  graphene_rect_t a0, a1, a8;
  int tile, row, col;

  cvl_filter_grid_set_data (grid, values, 32, 5, 5);
  /* 32 filters: 8 columns, 4 rows */
  g_assert_true (cvl_filter_grid_get_tile_area (grid, 400, 200, 0, &a0));
  g_assert_true (cvl_filter_grid_get_tile_area (grid, 400, 200, 1, &a1));
  g_assert_true (cvl_filter_grid_get_tile_area (grid, 400, 200, 8, &a8));
  g_assert_cmpfloat (a1.origin.x, >, a0.origin.x + a0.size.width); /* a gap */
  g_assert_cmpfloat_with_epsilon (a8.origin.x, a0.origin.x, 1e-9);
  g_assert_cmpfloat (a8.origin.y, >, a0.origin.y + a0.size.height);
  g_assert_cmpfloat_with_epsilon (a0.size.width, a0.size.height, 1e-9); /* square cells */
  g_assert_false (cvl_filter_grid_get_tile_area (grid, 400, 200, 32, &a0));

  g_assert_true (cvl_filter_grid_locate (grid, 400, 200, a8.origin.x + a8.size.width * 0.7,
                                         a8.origin.y + a8.size.height * 0.3, &tile, &row, &col));
  g_assert_cmpint (tile, ==, 8);
  g_assert_cmpint (row, ==, 1);
  g_assert_cmpint (col, ==, 3);
  /* the gap between tiles 0 and 1 is no tile */
  g_assert_false (cvl_filter_grid_locate (grid, 400, 200, a1.origin.x - 1, a1.origin.y + 3,
                                          &tile, &row, &col));

  cvl_filter_grid_set_columns (grid, 4);
  g_assert_true (cvl_filter_grid_get_tile_area (grid, 400, 200, 4, &a1));
  g_assert_true (cvl_filter_grid_locate (grid, 400, 200, a1.origin.x + 1, a1.origin.y + 1,
                                         &tile, &row, &col));
  g_assert_cmpint (tile, ==, 4);
  {
    graphene_rect_t first;

    g_assert_true (cvl_filter_grid_get_tile_area (grid, 400, 200, 0, &first));
    g_assert_cmpfloat_with_epsilon (a1.origin.x, first.origin.x, 1e-9); /* a new row */
  }
  destroy_window (window);
}

typedef struct { int tile, row, col, activated, hovers; } Events;

static void
on_hover (CvlFilterGrid *grid, int tile, int row, int col, Events *e)
{
  e->tile = tile;
  e->row = row;
  e->col = col;
  e->hovers++;
}

static void
on_activated (CvlFilterGrid *grid, int tile, Events *e)
{
  e->activated = tile;
}

static void
test_hover_and_activate (void)
{
  GtkWidget *window;
  CvlFilterGrid *grid = new_grid (&window, TRUE);
  g_autofree float *values = g_new0 (float, 32 * 25);
  Events e = { -2, -2, -2, -2, 0 };
  GtkEventController *motion, *click, *key;
  graphene_rect_t area;
  gboolean handled = FALSE;
  int w = gtk_widget_get_width (GTK_WIDGET (grid)), h = gtk_widget_get_height (GTK_WIDGET (grid));

  values[5 * 25 + 2 * 5 + 3] = -0.375f;
  cvl_filter_grid_set_data (grid, values, 32, 5, 5);
  g_signal_connect (grid, "hover", G_CALLBACK (on_hover), &e);
  g_signal_connect (grid, "tile-activated", G_CALLBACK (on_activated), &e);
  motion = find_controller (GTK_WIDGET (grid), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  click = find_controller (GTK_WIDGET (grid), GTK_TYPE_GESTURE_CLICK);
  key = find_controller (GTK_WIDGET (grid), GTK_TYPE_EVENT_CONTROLLER_KEY);

  /* hover over tile 5, cell (2, 3): the signal and the tooltip say so */
  g_assert_true (cvl_filter_grid_get_tile_area (grid, w, h, 5, &area));
  g_signal_emit_by_name (motion, "motion", area.origin.x + area.size.width * 0.7,
                         area.origin.y + area.size.height * 0.5);
  g_assert_cmpint (e.tile, ==, 5);
  g_assert_cmpint (e.row, ==, 2);
  g_assert_cmpint (e.col, ==, 3);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (grid)), "-0.375"));
  g_signal_emit_by_name (motion, "leave");
  g_assert_cmpint (e.tile, ==, -1);
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (grid)));

  /* a click activates and selects that tile */
  g_signal_emit_by_name (click, "released", 1, area.origin.x + 2, area.origin.y + 2);
  g_assert_cmpint (e.activated, ==, 5);
  g_assert_cmpint (cvl_filter_grid_get_selected (grid), ==, 5);

  /* arrows move the selection (8 columns), Enter activates it */
  g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Down, 0, 0, &handled);
  g_assert_true (handled);
  g_assert_cmpint (cvl_filter_grid_get_selected (grid), ==, 13);
  g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Left, 0, 0, &handled);
  g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Return, 0, 0, &handled);
  g_assert_cmpint (e.activated, ==, 12);

  /* fewer tiles: a selection past the end is cleared */
  cvl_filter_grid_set_data (grid, values, 10, 5, 5);
  g_assert_cmpint (cvl_filter_grid_get_selected (grid), ==, -1);
  destroy_window (window);
}

static void
test_updates (void)
{
  GtkWidget *window;
  CvlFilterGrid *grid = new_grid (&window, FALSE);
  g_autofree float *values = g_new0 (float, 64 * 28 * 28);
  cairo_surface_t *s;
  Rgba before, after;

  values[0] = 1;
  values[1] = -1;
  cvl_filter_grid_set_data (grid, values, 32, 5, 5);
  s = render (grid, 400, 200);
  before = cell_colour (grid, s, 0, 0, 1, 5);
  cairo_surface_destroy (s);

  /* the training thread's next copy: the same cell flips sign */
  values[1] = 1;
  values[0] = -1;
  cvl_filter_grid_set_data (grid, values, 32, 5, 5);
  s = render (grid, 400, 200);
  after = cell_colour (grid, s, 0, 0, 1, 5);
  cairo_surface_destroy (s);
  g_assert_cmpint (before.b, >, before.r + 80);
  g_assert_cmpint (after.r, >, after.b + 80);

  /* other shapes: 64 conv2 filters, 8 feature maps of 28 × 28, then nothing */
  cvl_filter_grid_set_data (grid, values, 64, 5, 5);
  cairo_surface_destroy (render (grid, 400, 200));
  cvl_filter_grid_set_data (grid, values, 8, 28, 28);
  cairo_surface_destroy (render (grid, 400, 200));
  cvl_filter_grid_set_data (grid, NULL, 0, 0, 0);
  g_assert_cmpint (cvl_filter_grid_get_n_tiles (grid), ==, 0);
  s = render (grid, 400, 200);
  g_assert_cmpint (pixel (s, 200, 100).a, ==, 0);
  cairo_surface_destroy (s);
  destroy_window (window);
}

/* 32 Gabor-like edge filters, as conv1 learns them, with their indices
 * under them (saved for a look with CVL_TEST_SHOTS). */
static void
test_labels (void)
{
  const char *dir = g_getenv ("CVL_TEST_SHOTS");
  GtkWidget *window;
  CvlFilterGrid *grid = new_grid (&window, FALSE);
  float values[32 * 25];
  cairo_surface_t *s;

  for (int t = 0; t < 32; t++)
    for (int y = 0; y < 5; y++)
      for (int x = 0; x < 5; x++)
        {
          double angle = t * G_PI / 16, u = (x - 2) * cos (angle) + (y - 2) * sin (angle);

          values[t * 25 + y * 5 + x] = (float) (sin (u * 1.6 + t) * exp (-(u * u) / 6) * (1 + t % 4));
        }
  cvl_filter_grid_set_data (grid, values, 32, 5, 5);
  cvl_filter_grid_set_show_labels (grid, TRUE);
  cvl_filter_grid_set_selected (grid, 9);
  s = render (grid, 400, 260);
  {
    graphene_rect_t a;
    int ink = 0;

    /* "0" is written in the strip under tile 0 */
    g_assert_true (cvl_filter_grid_get_tile_area (grid, 400, 260, 0, &a));
    for (int y = a.origin.y + a.size.height + 1; y < a.origin.y + a.size.height + 12; y++)
      for (int x = a.origin.x; x < a.origin.x + a.size.width; x++)
        ink += pixel (s, x, y).a > 0;
    g_assert_cmpint (ink, >, 5);
  }
  if (dir != NULL)
    {
      g_autofree char *path = g_build_filename (dir, "filter-grid.png", NULL);
      g_assert_cmpint (cairo_surface_write_to_png (s, path), ==, CAIRO_STATUS_SUCCESS);
    }
  cairo_surface_destroy (s);
  destroy_window (window);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/filter-grid/signed-colours", test_signed_colours);
  g_test_add_func ("/ui/filter-grid/shared-or-per-tile-scale", test_shared_or_per_tile_scale);
  g_test_add_func ("/ui/filter-grid/layout-and-locate", test_layout_and_locate);
  g_test_add_func ("/ui/filter-grid/hover-and-activate", test_hover_and_activate);
  g_test_add_func ("/ui/filter-grid/updates", test_updates);
  g_test_add_func ("/ui/filter-grid/labels", test_labels);

  return g_test_run ();
}
