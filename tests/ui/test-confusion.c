/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlConfusion: counts and row rates, the diagonal coloured apart from the
 * mistakes, hit-testing, hover and the cell-activated signal. Set
 * CVL_TEST_SHOTS to a folder to keep a PNG of it. */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "cvl-confusion.h"
#include "ui-test-util.h"

typedef struct { int r, g, b, a; } Rgba;

/* A plausible epoch: ~98% on the diagonal, 4s taken for 9s twelve times,
 * and no 7s at all in the test set. */
static void
fill_counts (guint32 counts[100])
{
  memset (counts, 0, 100 * sizeof (guint32));
  for (int t = 0; t < 10; t++)
    {
      counts[t * 10 + t] = 980 + t;
      counts[t * 10 + (t + 3) % 10] = 5;
    }
  counts[4 * 10 + 9] = 12;
  memset (counts + 70, 0, 10 * sizeof (guint32));
}

static cairo_surface_t *
render (CvlConfusion *m, int w, int h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);

  cvl_confusion_draw (m, cr, w, h);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* Un-premultiplied colour near the top-left corner of a cell, clear of its text. */
static Rgba
cell_colour (CvlConfusion *m, cairo_surface_t *s, int t, int p)
{
  graphene_rect_t a;
  const guint8 *row;
  guint32 v;
  int alpha;

  g_assert_true (cvl_confusion_get_cell_area (m, cairo_image_surface_get_width (s),
                                              cairo_image_surface_get_height (s), t, p, &a));
  row = cairo_image_surface_get_data (s) + (int) (a.origin.y + 3) * cairo_image_surface_get_stride (s);
  v = ((const guint32 *) row)[(int) (a.origin.x + 3)];
  alpha = v >> 24;
  if (alpha == 0)
    return (Rgba) { 0, 0, 0, 0 };
  return (Rgba) { ((v >> 16) & 255) * 255 / alpha, ((v >> 8) & 255) * 255 / alpha,
                  (v & 255) * 255 / alpha, alpha };
}

static void
test_counts_and_rates (void)
{
  CvlConfusion *m = g_object_ref_sink (CVL_CONFUSION (cvl_confusion_new ()));
  guint32 counts[100];

  g_assert_false (cvl_confusion_has_counts (m));
  fill_counts (counts);
  cvl_confusion_set_counts (m, counts);
  g_assert_true (cvl_confusion_has_counts (m));
  g_assert_cmpuint (cvl_confusion_get_count (m, 4, 9), ==, 12);
  g_assert_cmpuint (cvl_confusion_get_count (m, 3, 3), ==, 983);
  /* row 4: 984 + 5 + 12 = 1001 */
  g_assert_cmpfloat_with_epsilon (cvl_confusion_get_rate (m, 4, 9), 12.0 / 1001, 1e-12);
  g_assert_cmpfloat_with_epsilon (cvl_confusion_get_rate (m, 4, 4), 984.0 / 1001, 1e-12);
  /* the empty row has no rate, not NaN */
  g_assert_cmpfloat_with_epsilon (cvl_confusion_get_rate (m, 7, 7), 0, 1e-12);
  /* counts are copied */
  counts[0] = 0;
  g_assert_cmpuint (cvl_confusion_get_count (m, 0, 0), ==, 980);

  cvl_confusion_set_counts (m, NULL);
  g_assert_false (cvl_confusion_has_counts (m));
  g_assert_cmpuint (cvl_confusion_get_count (m, 4, 9), ==, 0);
  g_assert_finalize_object (m);
}

static void
test_diagonal_stands_apart (void)
{
  CvlConfusion *m = CVL_CONFUSION (cvl_confusion_new ());
  GtkWidget *window = window_with (GTK_WIDGET (m), 400, 400, FALSE);
  const char *dir = g_getenv ("CVL_TEST_SHOTS");
  guint32 counts[100];
  cairo_surface_t *s;
  Rgba diag, mistake, rare, empty;

  fill_counts (counts);
  cvl_confusion_set_counts (m, counts);
  s = render (m, 420, 440);
  diag = cell_colour (m, s, 2, 2);
  mistake = cell_colour (m, s, 4, 9);
  rare = cell_colour (m, s, 2, 5);
  empty = cell_colour (m, s, 2, 6);

  /* correct: the success colour (green); mistakes: the error colour (red) */
  g_assert_cmpint (diag.g, >, diag.r + 40);
  g_assert_cmpint (mistake.r, >, mistake.g + 40);
  g_assert_cmpint (rare.r, >, rare.g + 40);
  /* a higher rate is stronger; an empty cell is only faintly there */
  g_assert_cmpint (mistake.a, >, rare.a);
  g_assert_cmpint (diag.a, >, mistake.a);
  g_assert_cmpint (empty.a, <, 30);
  g_assert_cmpint (rare.a, >, empty.a + 40);

  if (dir != NULL)
    {
      g_autofree char *path = g_build_filename (dir, "confusion.png", NULL);
      g_assert_cmpint (cairo_surface_write_to_png (s, path), ==, CAIRO_STATUS_SUCCESS);
    }
  cairo_surface_destroy (s);
  destroy_window (window);
}

typedef struct { int t, p, activated_t, activated_p, n_activated; } Events;

static void
on_hover (CvlConfusion *m, int t, int p, Events *e)
{
  e->t = t;
  e->p = p;
}

static void
on_activated (CvlConfusion *m, int t, int p, Events *e)
{
  e->activated_t = t;
  e->activated_p = p;
  e->n_activated++;
}

static void
test_hover_and_activate (void)
{
  CvlConfusion *m = CVL_CONFUSION (cvl_confusion_new ());
  GtkWidget *window = window_with (GTK_WIDGET (m), 420, 440, TRUE);
  GtkEventController *motion = find_controller (GTK_WIDGET (m), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  GtkEventController *click = find_controller (GTK_WIDGET (m), GTK_TYPE_GESTURE_CLICK);
  int w = gtk_widget_get_width (GTK_WIDGET (m)), h = gtk_widget_get_height (GTK_WIDGET (m));
  Events e = { -2, -2, -2, -2, 0 };
  graphene_rect_t a;
  guint32 counts[100];
  int t, p;

  g_signal_connect (m, "hover", G_CALLBACK (on_hover), &e);
  g_signal_connect (m, "cell-activated", G_CALLBACK (on_activated), &e);

  /* nothing to activate before there are counts */
  g_assert_true (cvl_confusion_get_cell_area (m, w, h, 4, 9, &a));
  g_signal_emit_by_name (click, "released", 1, a.origin.x + 2, a.origin.y + 2);
  g_assert_cmpint (e.n_activated, ==, 0);

  fill_counts (counts);
  cvl_confusion_set_counts (m, counts);
  g_assert_true (cvl_confusion_locate (m, w, h, a.origin.x + a.size.width - 1,
                                       a.origin.y + 1, &t, &p));
  g_assert_cmpint (t, ==, 4);
  g_assert_cmpint (p, ==, 9);
  /* the axis labels are not cells */
  g_assert_false (cvl_confusion_locate (m, w, h, 2, a.origin.y + 2, &t, &p));
  g_assert_false (cvl_confusion_locate (m, w, h, a.origin.x + 2, 2, &t, &p));

  g_signal_emit_by_name (motion, "motion", a.origin.x + a.size.width / 2, a.origin.y + a.size.height / 2);
  g_assert_cmpint (e.t, ==, 4);
  g_assert_cmpint (e.p, ==, 9);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (m)), "True 4, predicted 9: 12"));
  g_signal_emit_by_name (motion, "leave");
  g_assert_cmpint (e.t, ==, -1);

  g_signal_emit_by_name (click, "released", 1, a.origin.x + 2, a.origin.y + 2);
  g_assert_cmpint (e.n_activated, ==, 1);
  g_assert_cmpint (e.activated_t, ==, 4);
  g_assert_cmpint (e.activated_p, ==, 9);
  /* a click beside the matrix activates nothing */
  g_signal_emit_by_name (click, "released", 1, 1.0, 1.0);
  g_assert_cmpint (e.n_activated, ==, 1);

  /* without a mouse: arrows from the first cell, Enter activates */
  {
    GtkEventController *keys = find_controller (GTK_WIDGET (m), GTK_TYPE_EVENT_CONTROLLER_KEY);
    gboolean handled = FALSE;

    g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (m)));
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Down, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpint (e.t, ==, 0);
    g_assert_cmpint (e.p, ==, 0);
    for (int i = 0; i < 3; i++)
      g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Down, 0, 0, &handled);
    for (int i = 0; i < 12; i++)
      g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
    g_assert_cmpint (e.t, ==, 3);
    g_assert_cmpint (e.p, ==, 9);   /* stops at the edge */
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Return, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpint (e.n_activated, ==, 2);
    g_assert_cmpint (e.activated_t, ==, 3);
    g_assert_cmpint (e.activated_p, ==, 9);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_a, 0, 0, &handled);
    g_assert_false (handled);
  }
  destroy_window (window);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/confusion/counts-and-rates", test_counts_and_rates);
  g_test_add_func ("/ui/confusion/diagonal-stands-apart", test_diagonal_stands_apart);
  g_test_add_func ("/ui/confusion/hover-and-activate", test_hover_and_activate);

  return g_test_run ();
}
