/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Draw page in a real window with the bundled model: an empty canvas
 * makes no guess, digits drawn as strokes are recognised, undo/redo/clear
 * work, a picture of a digit is classified, and a broken model file is
 * refused while the current model stays. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "cvl-draw-canvas.h"
#include "cvl-draw-page.h"
#include "cvl-imageio.h"
#include "cvl-window.h"
#include "ui-test-util.h"

static gboolean
page_ready (gpointer page)
{
  return !cvl_draw_page_is_busy (page) && cvl_draw_page_has_model (page);
}

typedef struct
{
  GtkWidget     *window;
  CvlDrawPage   *page;
  CvlDrawCanvas *canvas;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->window = g_object_ref (GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL)));
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = CVL_DRAW_PAGE (find_widget (f->window, CVL_TYPE_DRAW_PAGE));
  f->canvas = CVL_DRAW_CANVAS (find_widget (GTK_WIDGET (f->page), CVL_TYPE_DRAW_CANVAS));
  wait_until (page_ready, f->page);
}

static gboolean
kernel_and_draw_idle (gpointer f)
{
  return !cvl_draw_page_is_busy (((Fixture *) f)->page);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  wait_until (kernel_and_draw_idle, f);
  /* The Kernels page renders the sample photo at start: let it finish. */
  for (int i = 0; i < 200; i++)
    g_main_context_iteration (NULL, FALSE);
  g_usleep (200000);
  while (g_main_context_iteration (NULL, FALSE));
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
}

typedef struct { CvlDrawPage *page; guint count; } Wait;

static gboolean
classified_since (gpointer data)
{
  Wait *w = data;
  return cvl_draw_page_get_classify_count (w->page) > w->count && !cvl_draw_page_is_busy (w->page);
}

static int
classify_strokes (Fixture *f, const double *const *strokes, const guint *lengths, guint n,
                  double width, float *confidence)
{
  Wait w = { f->page, 0 };

  cvl_draw_canvas_clear (f->canvas);
  wait_until (kernel_and_draw_idle, f);
  for (guint i = 0; i < n; i++)
    cvl_draw_canvas_add_stroke (f->canvas, strokes[i], lengths[i], width);
  w.count = cvl_draw_page_get_classify_count (f->page);
  /* The last stroke's classification may already be done; ask once more. */
  cvl_draw_canvas_add_stroke (f->canvas, strokes[n - 1], 1, width);
  cvl_draw_canvas_undo (f->canvas);
  wait_until (classified_since, &w);
  return cvl_draw_page_get_prediction (f->page, confidence);
}

/* Points along a polyline, transformed: scale s about (0.5, 0.5), shift. */
static double *
place (const double *xy, guint n, double s, double dx, double dy, double slant)
{
  double *out = g_new (double, 2 * n);

  for (guint i = 0; i < n; i++)
    {
      double y = xy[2 * i + 1];
      out[2 * i] = 0.5 + s * (xy[2 * i] - 0.5 + slant * (0.5 - y)) + dx;
      out[2 * i + 1] = 0.5 + s * (y - 0.5) + dy;
    }
  return out;
}

static void
test_empty_canvas (Fixture *f, gconstpointer data)
{
  float confidence = 1;

  cvl_draw_canvas_clear (f->canvas);
  wait_until (kernel_and_draw_idle, f);
  g_assert_cmpint (cvl_draw_page_get_prediction (f->page, &confidence), ==, -1);
  g_assert_true (window_shows_text (f->window, "Draw a digit to see"));
}

static void
test_drawn_digits (Fixture *f, gconstpointer data)
{
  static const double one[] = { 0.52, 0.15, 0.5, 0.5, 0.48, 0.85 };
  static const double seven[] = { 0.25, 0.18, 0.72, 0.18, 0.6, 0.45, 0.45, 0.85 };
  static const double zero[] = { 0.5, 0.15, 0.32, 0.25, 0.28, 0.5, 0.32, 0.75, 0.5, 0.85,
                                 0.68, 0.75, 0.72, 0.5, 0.68, 0.25, 0.5, 0.15 };
  static const double four_a[] = { 0.6, 0.15, 0.25, 0.6, 0.75, 0.6 };
  static const double four_b[] = { 0.6, 0.35, 0.6, 0.88 };
  struct { int digit; const double *s[2]; guint len[2]; guint n; } digits[] = {
    { 1, { one }, { 3 }, 1 },
    { 7, { seven }, { 4 }, 1 },
    { 0, { zero }, { 9 }, 1 },
    { 4, { four_a, four_b }, { 3, 2 }, 2 },
  };
  /* size, position and slant varied: the preprocessing must undo them */
  static const double variants[][4] = {
    { 1.0, 0, 0, 0 }, { 0.5, -0.2, -0.2, 0 }, { 0.6, 0.18, 0.15, 0.15 }, { 0.8, 0, 0.05, -0.15 },
  };
  guint correct = 0, total = 0;

  for (guint d = 0; d < G_N_ELEMENTS (digits); d++)
    for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
      {
        double *placed[2] = { NULL, NULL };
        float confidence;
        int got;

        for (guint s = 0; s < digits[d].n; s++)
          placed[s] = place (digits[d].s[s], digits[d].len[s], variants[v][0], variants[v][1],
                             variants[v][2], variants[v][3]);
        got = classify_strokes (f, (const double *const *) placed, digits[d].len, digits[d].n,
                                0.09 * variants[v][0], &confidence);
        g_test_message ("digit %d variant %u → %d (%.3f)", digits[d].digit, v, got, confidence);
        correct += got == digits[d].digit;
        total++;
        g_free (placed[0]);
        g_free (placed[1]);
      }
  g_test_message ("%u of %u drawn digits recognised", correct, total);
  g_assert_cmpuint (correct * 100, >=, total * 90);
}

static void
test_undo_redo_clear (Fixture *f, gconstpointer data)
{
  static const double one[] = { 0.5, 0.15, 0.5, 0.85 };
  Wait w = { f->page, 0 };

  cvl_draw_canvas_clear (f->canvas);
  cvl_draw_canvas_add_stroke (f->canvas, one, 2, 0.09);
  g_assert_false (cvl_draw_canvas_is_empty (f->canvas));
  g_assert_true (cvl_draw_canvas_undo (f->canvas));
  g_assert_true (cvl_draw_canvas_is_empty (f->canvas));
  g_assert_true (cvl_draw_canvas_redo (f->canvas));
  g_assert_false (cvl_draw_canvas_redo (f->canvas));
  w.count = cvl_draw_page_get_classify_count (f->page);
  wait_until (classified_since, &w);
  g_assert_cmpint (cvl_draw_page_get_prediction (f->page, NULL), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "draw.clear", NULL));
  g_assert_true (cvl_draw_canvas_is_empty (f->canvas));
  wait_until (kernel_and_draw_idle, f);
  g_assert_cmpint (cvl_draw_page_get_prediction (f->page, NULL), ==, -1);
}

static void
test_picture_and_bad_model (Fixture *f, gconstpointer data)
{
  g_autoptr (CvlImage) picture = cvl_image_new (60, 90, 3, NULL);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "convolve-test-digit.png", NULL);
  g_autofree char *bad = g_build_filename (g_get_tmp_dir (), "convolve-test-bad.safetensors", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFile) bad_file = g_file_new_for_path (bad);
  Wait w = { f->page, 0 };

  /* Dark ink on white paper: a slanted "1". */
  for (gsize i = 0; i < 60 * 90 * 3; i++)
    picture->data[i] = 1.0f;
  for (int c = 0; c < 3; c++)
    for (int y = 10; y < 80; y++)
      for (int x = 26 + (80 - y) / 10; x < 33 + (80 - y) / 10; x++)
        cvl_image_plane (picture, c)[y * 60 + x] = 0.1f;
  g_assert_true (cvl_imageio_save_png (picture, NULL, CVL_MAP_CLAMP, path, NULL));
  w.count = cvl_draw_page_get_classify_count (f->page);
  cvl_draw_page_open_file (f->page, file);
  wait_until (classified_since, &w);
  g_assert_cmpint (cvl_draw_page_get_prediction (f->page, NULL), ==, 1);
  g_assert_true (window_shows_text (f->window, "inverted"));

  g_assert_true (g_file_set_contents (bad, "\x10\0\0\0\0\0\0\0{\"x\":", 13, NULL));
  cvl_draw_page_load_model (f->page, bad_file);
  wait_until (kernel_and_draw_idle, f);
  g_assert_true (cvl_draw_page_has_model (f->page));
  g_assert_true (window_shows_text (f->window, "Could not use this model"));
  g_unlink (path);
  g_unlink (bad);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/ui/draw-page/empty-canvas", test_empty_canvas);
  ADD ("/ui/draw-page/drawn-digits", test_drawn_digits);
  ADD ("/ui/draw-page/undo-redo-clear", test_undo_redo_clear);
  ADD ("/ui/draw-page/picture-and-bad-model", test_picture_and_bad_model);
#undef ADD
  return g_test_run ();
}
