/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Kernels page in a real window under X: it opens on the sample photo,
 * every preset renders what the naive reference computes, typing in a cell
 * re-renders, bad cells and bad files are refused without losing anything,
 * results save, and the state comes back from GSettings. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "cvl-imageio.h"
#include "cvl-draw-page.h"
#include "cvl-kernel-grid.h"
#include "cvl-kernel-page.h"
#include "cvl-window.h"
#include "ui-test-util.h"

static gboolean
page_idle (gpointer page)
{
  return !cvl_kernel_page_is_busy (page) && cvl_kernel_page_get_result (page) != NULL;
}

static gboolean
page_not_busy (gpointer page)
{
  return !cvl_kernel_page_is_busy (page);
}

typedef struct
{
  GtkWidget     *window;
  CvlKernelPage *page;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->window = g_object_ref (GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL)));
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = CVL_KERNEL_PAGE (find_widget (f->window, CVL_TYPE_KERNEL_PAGE));
  g_assert_nonnull (f->page);
  wait_until (page_idle, f->page);
}

static gboolean
draw_page_not_busy (gpointer window)
{
  GtkWidget *draw = find_widget (window, CVL_TYPE_DRAW_PAGE);

  return draw == NULL || !cvl_draw_page_is_busy (CVL_DRAW_PAGE (draw));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  wait_until (page_not_busy, f->page);
  wait_until (draw_page_not_busy, f->window);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
}

/* The page's result must be what the naive reference computes for the
 * page's own input, kernel and options. */
static void
assert_result_matches_reference (CvlKernelPage *page)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CvlImage) values = NULL;
  g_autoptr (CvlImage) alpha = NULL;
  const CvlImage *got = cvl_kernel_page_get_result (page);
  CvlConvOptions options;
  CvlMap map;
  float max_diff = 0, max_abs = 0;

  cvl_kernel_page_get_options (page, &options, &map);
  g_assert_true (cvl_conv_apply (CVL_ENGINE_NAIVE, cvl_kernel_page_get_input (page),
                                 cvl_kernel_page_get_kernel (page), &options,
                                 &values, &alpha, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpint (got->width, ==, values->width);
  g_assert_cmpint (got->height, ==, values->height);
  g_assert_cmpint (got->channels, ==, values->channels);
  for (gsize i = 0; i < (gsize) values->width * values->height * values->channels; i++)
    {
      max_diff = MAX (max_diff, fabsf (got->data[i] - values->data[i]));
      max_abs = MAX (max_abs, fabsf (values->data[i]));
    }
  g_assert_cmpfloat (max_diff, <=, 1e-4f * MAX (1.0f, max_abs));
}

typedef struct { CvlKernelPage *page; guint count; } RenderWait;

static gboolean
rendered_since (gpointer data)
{
  RenderWait *w = data;
  return cvl_kernel_page_get_render_count (w->page) > w->count && !cvl_kernel_page_is_busy (w->page);
}

static void
wait_for_render (CvlKernelPage *page, guint count)
{
  RenderWait w = { page, count };
  wait_until (rendered_since, &w);
}

static void
test_opens_on_sample (Fixture *f, gconstpointer data)
{
  const CvlImage *input = cvl_kernel_page_get_input (f->page);

  g_assert_cmpstr (cvl_kernel_page_get_input_name (f->page), ==, "chelsea");
  g_assert_cmpint (input->width, ==, 451);
  g_assert_cmpint (input->height, ==, 300);
  assert_result_matches_reference (f->page);
}

static void
test_each_preset_renders (Fixture *f, gconstpointer data)
{
  guint n;
  const CvlPresetInfo *presets = cvl_kernel_presets (&n);

  g_assert_cmpuint (n, >=, 12);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CvlKernel) expected = cvl_kernel_new_preset (presets[i].id, NULL);
      guint count = cvl_kernel_page_get_render_count (f->page);
      CvlConvOptions options;
      CvlMap map;

      /* Through the button's action, as a click would. */
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "kernels.preset", "s", presets[i].id));
      if (i > 0 || cvl_kernel_page_get_render_count (f->page) == count)
        wait_for_render (f->page, count);
      g_assert_true (cvl_kernel_equal (cvl_kernel_page_get_kernel (f->page), expected));
      cvl_kernel_page_get_options (f->page, &options, &map);
      g_assert_cmpint (map, ==, presets[i].map);
      assert_result_matches_reference (f->page);
    }
}

static void
test_edit_rerenders (Fixture *f, gconstpointer data)
{
  CvlKernelGrid *grid = CVL_KERNEL_GRID (find_widget (GTK_WIDGET (f->page), CVL_TYPE_KERNEL_GRID));
  guint count;

  gtk_widget_activate_action (GTK_WIDGET (f->page), "kernels.preset", "s", "sharpen");
  wait_until (page_idle, f->page);

  /* The user's first move: the sharpen centre from 5 to 9. */
  count = cvl_kernel_page_get_render_count (f->page);
  gtk_editable_set_text (GTK_EDITABLE (cvl_kernel_grid_get_cell (grid, 1, 1)), "9");
  wait_for_render (f->page, count);
  g_assert_cmpfloat_with_epsilon (cvl_kernel_get (cvl_kernel_page_get_kernel (f->page), 1, 1), 9.0, 1e-6);
  assert_result_matches_reference (f->page);

  /* Fractions work. */
  count = cvl_kernel_page_get_render_count (f->page);
  gtk_editable_set_text (GTK_EDITABLE (cvl_kernel_grid_get_cell (grid, 0, 0)), "1/16");
  wait_for_render (f->page, count);
  g_assert_cmpfloat_with_epsilon (cvl_kernel_get (cvl_kernel_page_get_kernel (f->page), 0, 0), 0.0625, 1e-7);

  /* A bad cell is marked and the last valid kernel stays. */
  gtk_editable_set_text (GTK_EDITABLE (cvl_kernel_grid_get_cell (grid, 2, 2)), "abc");
  g_assert_true (gtk_widget_has_css_class (cvl_kernel_grid_get_cell (grid, 2, 2), "error"));
  g_assert_false (cvl_kernel_grid_is_valid (grid));
  g_assert_cmpfloat_with_epsilon (cvl_kernel_get (cvl_kernel_page_get_kernel (f->page), 2, 2), 0.0, 1e-7);
  g_assert_true (window_shows_text (f->window, "still showing the last valid kernel"));
  gtk_editable_set_text (GTK_EDITABLE (cvl_kernel_grid_get_cell (grid, 2, 2)), "nan");
  g_assert_true (gtk_widget_has_css_class (cvl_kernel_grid_get_cell (grid, 2, 2), "error"));
  wait_until (page_idle, f->page);
  assert_result_matches_reference (f->page);

  /* Divisor 0 is refused in place; a fraction is taken. */
  {
    GtkWidget *divisor = find_named (GTK_WIDGET (f->page), "divisor");

    g_assert_nonnull (divisor);
    gtk_editable_set_text (GTK_EDITABLE (divisor), "0");
    g_assert_true (gtk_widget_has_css_class (divisor, "error"));
    g_assert_cmpfloat_with_epsilon (cvl_kernel_page_get_kernel (f->page)->divisor, 1.0, 1e-7);
    count = cvl_kernel_page_get_render_count (f->page);
    gtk_editable_set_text (GTK_EDITABLE (divisor), "1/2");
    g_assert_false (gtk_widget_has_css_class (divisor, "error"));
    g_assert_cmpfloat_with_epsilon (cvl_kernel_page_get_kernel (f->page)->divisor, 0.5, 1e-7);
    wait_for_render (f->page, count);
    assert_result_matches_reference (f->page);
  }
}

static void
test_tools_and_options (Fixture *f, gconstpointer data)
{
  CvlConvOptions options;
  CvlMap map;
  guint count;

  gtk_widget_activate_action (GTK_WIDGET (f->page), "kernels.preset", "s", "top-sobel");
  wait_until (page_idle, f->page);
  count = cvl_kernel_page_get_render_count (f->page);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "kernels.rotate", NULL);
  wait_for_render (f->page, count);
  /* Top Sobel turned 90° clockwise: its positive row becomes the right column. */
  g_assert_cmpfloat_with_epsilon (cvl_kernel_get (cvl_kernel_page_get_kernel (f->page), 1, 2), 2.0, 1e-6);

  /* Stride 2 on the 451 × 300 photo: TensorFlow's SAME gives 226 × 150. */
  cvl_kernel_page_get_options (f->page, &options, &map);
  options.stride_h = options.stride_w = 2;
  options.border = CVL_BORDER_REFLECT;
  count = cvl_kernel_page_get_render_count (f->page);
  g_assert_true (cvl_kernel_page_set_options (f->page, &options, map));
  wait_for_render (f->page, count);
  g_assert_cmpint (cvl_kernel_page_get_result (f->page)->width, ==, 226);
  g_assert_cmpint (cvl_kernel_page_get_result (f->page)->height, ==, 150);
  g_assert_true (window_shows_text (f->window, "226 × 150"));
  assert_result_matches_reference (f->page);

  /* Gray, dilated, flipped, VALID. */
  options.channels = CVL_CHANNELS_GRAY;
  options.dilation_h = 3;
  options.flip = TRUE;
  options.padding = CVL_PADDING_VALID;
  count = cvl_kernel_page_get_render_count (f->page);
  g_assert_true (cvl_kernel_page_set_options (f->page, &options, CVL_MAP_ABS));
  wait_for_render (f->page, count);
  g_assert_cmpint (cvl_kernel_page_get_result (f->page)->channels, ==, 1);
  assert_result_matches_reference (f->page);

  /* Normalize refuses a zero-sum kernel with a toast. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "kernels.normalize", NULL);
  g_assert_true (window_shows_text (f->window, "sum to 0"));
}

static char *
write_file (const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_assert_true (g_file_set_contents (path, data, len, NULL));
  return path;
}

static void
open_and_wait (CvlKernelPage *page, const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);

  cvl_kernel_page_open_file (page, file);
  g_assert_true (cvl_kernel_page_is_busy (page));
  wait_until (page_not_busy, page);
}

static void
test_bad_files_keep_image (Fixture *f, gconstpointer data)
{
  g_autofree char *text_path = write_file ("convolve-test-not-an-image.png", "hello, world\n", 13);
  g_autofree char *trunc_path = NULL;
  g_autofree char *sample = NULL;
  gsize len;
  const CvlImage *before = cvl_kernel_page_get_input (f->page);

  open_and_wait (f->page, text_path);
  g_assert_true (cvl_kernel_page_get_input (f->page) == before);
  g_assert_cmpstr (cvl_kernel_page_get_input_name (f->page), ==, "chelsea");
  g_assert_true (window_shows_text (f->window, "convolve-test-not-an-image.png"));

  /* The sample photo cut in half. */
  g_assert_true (g_file_get_contents (SAMPLE_DIR "/chelsea.png", &sample, &len, NULL));
  trunc_path = write_file ("convolve-test-truncated.png", sample, len / 2);
  open_and_wait (f->page, trunc_path);
  g_assert_true (cvl_kernel_page_get_input (f->page) == before);
  g_assert_true (window_shows_text (f->window, "convolve-test-truncated.png"));

  open_and_wait (f->page, "/nonexistent/convolve.png");
  g_assert_true (cvl_kernel_page_get_input (f->page) == before);

  g_unlink (text_path);
  g_unlink (trunc_path);
}

static void
test_open_and_save (Fixture *f, gconstpointer data)
{
  g_autofree char *out = g_build_filename (g_get_tmp_dir (), "convolve-test-out.png", NULL);
  g_autoptr (GFile) out_file = g_file_new_for_path (out);
  g_autoptr (CvlImage) saved = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (CvlKernel) big = cvl_kernel_new (9, 9, NULL);
  CvlConvOptions options;
  CvlMap map;
  guint count;

  /* A tiny 5×5 image; a 9×9 kernel with VALID has no output. */
  {
    g_autoptr (CvlImage) tiny = cvl_image_new (5, 5, 3, NULL);
    g_autofree char *tiny_path = g_build_filename (g_get_tmp_dir (), "convolve-test-tiny.png", NULL);

    for (int i = 0; i < 75; i++)
      tiny->data[i] = (i % 7) / 6.0f;
    g_assert_true (cvl_imageio_save_png (tiny, NULL, CVL_MAP_CLAMP, tiny_path, &error));
    count = cvl_kernel_page_get_render_count (f->page);
    open_and_wait (f->page, tiny_path);
    wait_for_render (f->page, count);
    g_assert_cmpstr (cvl_kernel_page_get_input_name (f->page), ==, "convolve-test-tiny");
    g_assert_cmpint (cvl_kernel_page_get_input (f->page)->width, ==, 5);
    g_unlink (tiny_path);
  }
  gtk_widget_activate_action (GTK_WIDGET (f->page), "kernels.preset", "s", "identity");
  wait_until (page_idle, f->page);
  cvl_kernel_page_get_options (f->page, &options, &map);
  options.padding = CVL_PADDING_VALID;
  cvl_kernel_page_set_options (f->page, &options, map);
  wait_until (page_not_busy, f->page);
  cvl_kernel_page_save_to_file (f->page, out_file);
  wait_until (page_not_busy, f->page);
  saved = cvl_imageio_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpint (saved->width, ==, 3);
  g_assert_cmpint (saved->height, ==, 3);
  g_unlink (out);

  /* A 9×9 kernel on the 5×5 image with VALID: no output, and the read-out
   * says why; the page keeps working. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_named (GTK_WIDGET (f->page), "rows")), 9);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_named (GTK_WIDGET (f->page), "cols")), 9);
  g_assert_cmpint (cvl_kernel_page_get_kernel (f->page)->width, ==, 9);
  wait_until (page_not_busy, f->page);
  g_assert_null (cvl_kernel_page_get_result (f->page));
  g_assert_true (window_shows_text (f->window, "Empty"));
  g_assert_true (window_shows_text (f->window, "No output"));
}

static void
test_generators_and_engines (Fixture *f, gconstpointer data)
{
  GtkStack *stack = GTK_STACK (find_named (GTK_WIDGET (f->page), "kernel-stack"));
  GtkWidget *sigma;
  guint count;

  /* A Gaussian σ = 2 is 13×13: too big for the grid, shown as a heat map. */
  count = cvl_kernel_page_get_render_count (f->page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "kernels.generator", "s", "gaussian"));
  wait_for_render (f->page, count);
  g_assert_cmpint (cvl_kernel_page_get_kernel (f->page)->width, ==, 13);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "heatmap");
  g_assert_cmpfloat_with_epsilon (cvl_kernel_sum (cvl_kernel_page_get_kernel (f->page)), 1.0, 1e-4);
  assert_result_matches_reference (f->page);
  g_assert_true (window_shows_text (f->window, "Gain at zero frequency"));

  /* Its σ is live: 4 makes a 25×25 kernel. */
  sigma = find_named (GTK_WIDGET (f->page), "sigma");
  g_assert_nonnull (sigma);
  count = cvl_kernel_page_get_render_count (f->page);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sigma), 4);
  wait_for_render (f->page, count);
  g_assert_cmpint (cvl_kernel_page_get_kernel (f->page)->width, ==, 25);

  /* Every engine the menu offers renders what the reference computes. */
  for (CvlEngine e = CVL_ENGINE_DIRECT; e <= CVL_ENGINE_AUTO; e++)
    {
      GtkDropDown *engines = GTK_DROP_DOWN (find_named (GTK_WIDGET (f->page), "engine"));

      count = cvl_kernel_page_get_render_count (f->page);
      gtk_drop_down_set_selected (engines, (gtk_drop_down_get_selected (engines) + 1) % 4);
      wait_for_render (f->page, count);
      assert_result_matches_reference (f->page);
    }
  g_assert_true (window_shows_text (f->window, " ms"));

  /* A preset brings the grid back and drops the generator. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "kernels.preset", "s", "edge");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "grid");
  g_assert_null (find_named (GTK_WIDGET (f->page), "sigma"));
}

static void
test_kernel_from_image (Fixture *f, gconstpointer data)
{
  g_autoptr (CvlImage) star = cvl_image_new (5, 5, 3, NULL);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "convolve-test-star.png", NULL);
  g_autofree char *bad = write_file ("convolve-test-bad-kernel.png", "not a png", 9);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFile) bad_file = g_file_new_for_path (bad);
  g_autoptr (CvlKernel) before = NULL;

  memset (star->data, 0, sizeof (float) * 75);
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < 5; i++)
      {
        cvl_image_plane (star, c)[2 * 5 + i] = 1.0f;   /* a plus sign */
        cvl_image_plane (star, c)[i * 5 + 2] = 1.0f;
      }
  g_assert_true (cvl_imageio_save_png (star, NULL, CVL_MAP_CLAMP, path, NULL));
  cvl_kernel_page_kernel_from_file (f->page, file);
  wait_until (page_not_busy, f->page);
  wait_until (page_idle, f->page);
  g_assert_cmpint (cvl_kernel_page_get_kernel (f->page)->width, ==, 5);
  g_assert_cmpfloat_with_epsilon (cvl_kernel_sum (cvl_kernel_page_get_kernel (f->page)), 1.0, 1e-4);
  g_assert_cmpfloat_with_epsilon (cvl_kernel_get (cvl_kernel_page_get_kernel (f->page), 0, 0), 0.0, 1e-6);
  assert_result_matches_reference (f->page);

  /* Not an image: a toast, and the kernel stays. */
  before = cvl_kernel_copy (cvl_kernel_page_get_kernel (f->page));
  cvl_kernel_page_kernel_from_file (f->page, bad_file);
  wait_until (page_not_busy, f->page);
  g_assert_true (cvl_kernel_equal (before, cvl_kernel_page_get_kernel (f->page)));
  g_assert_true (window_shows_text (f->window, "Could not make a kernel"));
  g_unlink (path);
  g_unlink (bad);
}

/* A big image shows a screen-density preview first, then full resolution. */
static void
test_preview_then_full (Fixture *f, gconstpointer data)
{
  g_autoptr (CvlImage) big = cvl_image_new (2400, 1600, 3, NULL);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "convolve-test-big.png", NULL);
  guint previews = cvl_kernel_page_get_preview_count (f->page);
  guint count;

  for (gsize i = 0; i < (gsize) 2400 * 1600 * 3; i++)
    big->data[i] = (float) ((i * 2654435761u) >> 24 & 255) / 255.0f;
  g_assert_true (cvl_imageio_save_png (big, NULL, CVL_MAP_CLAMP, path, NULL));
  count = cvl_kernel_page_get_render_count (f->page);
  open_and_wait (f->page, path);
  wait_for_render (f->page, count);
  g_assert_cmpuint (cvl_kernel_page_get_preview_count (f->page), >, previews);
  g_assert_cmpint (cvl_kernel_page_get_result (f->page)->width, ==, 2400);
  g_assert_cmpint (cvl_kernel_page_get_result (f->page)->height, ==, 1600);
  g_unlink (path);
}

static void
test_settings_persist (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *text = NULL;
  CvlKernelPage *page;
  GtkWidget *window;
  CvlConvOptions options;
  CvlMap map;

  window = g_object_ref (GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL)));
  page = CVL_KERNEL_PAGE (find_widget (window, CVL_TYPE_KERNEL_PAGE));
  cvl_kernel_page_set_settings (page, settings);
  wait_until (page_idle, page);
  cvl_kernel_page_apply_preset (page, "emboss");
  cvl_kernel_page_get_options (page, &options, &map);
  options.stride_w = 3;
  cvl_kernel_page_set_options (page, &options, CVL_MAP_NORMALIZE);
  wait_until (page_not_busy, page);
  text = g_settings_get_string (settings, "kernel");
  g_assert_cmpstr (text, ==, "-2 -1 0\n-1 1 1\n0 1 2");
  wait_until (draw_page_not_busy, window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  /* A new page with the same settings comes back as it was left. */
  window = g_object_ref (GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL)));
  page = CVL_KERNEL_PAGE (find_widget (window, CVL_TYPE_KERNEL_PAGE));
  cvl_kernel_page_set_settings (page, settings);
  wait_until (page_idle, page);
  {
    g_autoptr (CvlKernel) emboss = cvl_kernel_new_preset ("emboss", NULL);
    g_assert_true (cvl_kernel_equal (cvl_kernel_page_get_kernel (page), emboss));
  }
  cvl_kernel_page_get_options (page, &options, &map);
  g_assert_cmpint (options.stride_w, ==, 3);
  g_assert_cmpint (map, ==, CVL_MAP_NORMALIZE);
  wait_until (draw_page_not_busy, window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/ui/kernel-page/opens-on-sample", test_opens_on_sample);
  ADD ("/ui/kernel-page/each-preset-renders", test_each_preset_renders);
  ADD ("/ui/kernel-page/edit-rerenders", test_edit_rerenders);
  ADD ("/ui/kernel-page/tools-and-options", test_tools_and_options);
  ADD ("/ui/kernel-page/bad-files-keep-image", test_bad_files_keep_image);
  ADD ("/ui/kernel-page/open-and-save", test_open_and_save);
  ADD ("/ui/kernel-page/generators-and-engines", test_generators_and_engines);
  ADD ("/ui/kernel-page/kernel-from-image", test_kernel_from_image);
  ADD ("/ui/kernel-page/preview-then-full", test_preview_then_full);
#undef ADD
  g_test_add_func ("/ui/kernel-page/settings-persist", test_settings_persist);
  return g_test_run ();
}
