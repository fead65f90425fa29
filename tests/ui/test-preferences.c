/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Preferences window under X: the threads spin button reaches the
 * settings, the convolution engines and the network; the engine row changes
 * the Kernels page's engine live; a folder without MNIST is refused with a
 * message and one with the four IDX files is stored. */
#include "config.h"

#include <glib/gstdio.h>

#include "cvl-conv.h"
#include "cvl-draw-page.h"
#include "cvl-idx.h"
#include "cvl-kernel-page.h"
#include "cvl-nn.h"
#include "cvl-preferences-window.h"
#include "cvl-window.h"
#include "ui-test-util.h"

static gboolean
not_checking (gpointer prefs)
{
  return !cvl_preferences_window_is_checking (prefs);
}

static gboolean
page_idle (gpointer page)
{
  return !cvl_kernel_page_is_busy (page) && cvl_kernel_page_get_result (page) != NULL;
}

static gboolean
draw_page_not_busy (gpointer window)
{
  GtkWidget *draw = find_widget (window, CVL_TYPE_DRAW_PAGE);

  return draw == NULL || !cvl_draw_page_is_busy (CVL_DRAW_PAGE (draw));
}

static gboolean
shows_fft_result (gpointer window)
{
  CvlKernelPage *page = CVL_KERNEL_PAGE (find_widget (window, CVL_TYPE_KERNEL_PAGE));

  return page_idle (page) && window_shows_text (window, "· FFT ·");
}

static CvlPreferencesWindow *
open_preferences (GSettings *settings)
{
  CvlPreferencesWindow *prefs = g_object_ref_sink (cvl_preferences_window_new (settings));

  gtk_window_present (GTK_WINDOW (prefs));
  return prefs;
}

static void
close_preferences (CvlPreferencesWindow *prefs)
{
  wait_until (not_checking, prefs);
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

static void
test_threads (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  CvlPreferencesWindow *prefs;
  GtkSpinButton *spin;

  cvl_preferences_follow_threads (settings);
  prefs = open_preferences (settings);
  spin = GTK_SPIN_BUTTON (find_named (GTK_WIDGET (prefs), "threads"));
  g_assert_nonnull (spin);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 0);

  gtk_spin_button_set_value (spin, 3);
  g_assert_cmpint (g_settings_get_int (settings, "threads"), ==, 3);
  g_assert_cmpint (cvl_conv_get_threads (), ==, 3);
  g_assert_cmpint (cvl_nn_get_threads (), ==, 3);

  /* 0 is every processor, for both. */
  gtk_spin_button_set_value (spin, 0);
  g_assert_cmpint (cvl_conv_get_threads (), ==, (int) g_get_num_processors ());
  g_assert_cmpint (cvl_nn_get_threads (), ==, (int) g_get_num_processors ());

  /* A change made elsewhere shows. */
  g_settings_set_int (settings, "threads", 2);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 2);
  close_preferences (prefs);
  g_settings_reset (settings, "threads");
}

static void
test_engine_is_live (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  CvlPreferencesWindow *prefs;
  CvlKernelPage *page;
  GtkWidget *window;
  AdwComboRow *row;
  GtkDropDown *menu;

  g_settings_set_enum (settings, "engine", CVL_ENGINE_AUTO);
  window = g_object_ref (GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL)));
  gtk_window_present (GTK_WINDOW (window));
  page = CVL_KERNEL_PAGE (find_widget (window, CVL_TYPE_KERNEL_PAGE));
  cvl_kernel_page_set_settings (page, settings);
  wait_until (page_idle, page);
  g_assert_false (window_shows_text (window, "· FFT ·"));

  prefs = open_preferences (settings);
  row = ADW_COMBO_ROW (find_named (GTK_WIDGET (prefs), "engine"));
  g_assert_nonnull (row);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);   /* Auto */

  adw_combo_row_set_selected (row, 3);                           /* FFT */
  g_assert_cmpint (g_settings_get_enum (settings, "engine"), ==, CVL_ENGINE_FFT);
  /* The open page follows at once: its menu, and its next render. */
  menu = GTK_DROP_DOWN (find_named (window, "engine"));
  g_assert_cmpuint (gtk_drop_down_get_selected (menu), ==, 3);
  wait_until (shows_fft_result, window);

  /* And the page's own menu shows in Preferences. */
  gtk_drop_down_set_selected (menu, 1);                          /* Direct */
  g_assert_cmpint (g_settings_get_enum (settings, "engine"), ==, CVL_ENGINE_DIRECT);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);

  close_preferences (prefs);
  wait_until (page_idle, page);
  wait_until (draw_page_not_busy, window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_settings_reset (settings, "engine");
}

static void
write_tiny_mnist (const char *dir)
{
  guint8 pixels[4 * 28 * 28] = { 0 }, labels[4] = { 0, 1, 2, 3 };
  CvlIdxImages images = { 4, 28, 28, pixels };
  CvlIdxLabels label_set = { 4, labels };
  const char *prefixes[] = { "train", "t10k" };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-images-idx3-ubyte", prefixes[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *lname = g_strdup_printf ("%s-labels-idx1-ubyte", prefixes[i]);
      g_autofree char *lpath = g_build_filename (dir, lname, NULL);

      g_assert_true (cvl_idx_save_images (path, &images, &error));
      g_assert_no_error (error);
      g_assert_true (cvl_idx_save_labels (lpath, &label_set, &error));
      g_assert_no_error (error);
    }
}

static void
test_dataset_folder (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("convolve-prefs-XXXXXX", &error);
  g_autofree char *stored = NULL, *found = NULL;
  CvlPreferencesWindow *prefs;

  g_assert_no_error (error);
  prefs = open_preferences (settings);
  g_assert_false (gtk_widget_is_sensitive (find_named (GTK_WIDGET (prefs), "reset-dataset")));

  /* An empty folder is refused, saying which file is missing. */
  cvl_preferences_window_set_dataset_folder (prefs, dir);
  wait_until (not_checking, prefs);
  stored = g_settings_get_string (settings, "dataset-folder");
  g_assert_cmpstr (stored, ==, "");
  g_assert_true (window_shows_text (GTK_WIDGET (prefs), "No usable MNIST there"));
  g_assert_true (window_shows_text (GTK_WIDGET (prefs), "train-images-idx3-ubyte"));

  /* The four IDX files make it a dataset folder. */
  write_tiny_mnist (dir);
  cvl_preferences_window_set_dataset_folder (prefs, dir);
  wait_until (not_checking, prefs);
  g_clear_pointer (&stored, g_free);
  stored = g_settings_get_string (settings, "dataset-folder");
  g_assert_cmpstr (stored, ==, dir);
  g_assert_false (window_shows_text (GTK_WIDGET (prefs), "No usable MNIST there"));
  found = cvl_preferences_find_dataset (settings, "mnist", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, dir);

  /* Reset goes back to looking automatically. */
  g_assert_true (gtk_widget_is_sensitive (find_named (GTK_WIDGET (prefs), "reset-dataset")));
  gtk_widget_activate_action (GTK_WIDGET (prefs), "preferences.reset-dataset", NULL);
  g_clear_pointer (&stored, g_free);
  stored = g_settings_get_string (settings, "dataset-folder");
  g_assert_cmpstr (stored, ==, "");
  close_preferences (prefs);

  for (guint i = 0; i < 4; i++)
    {
      const char *names[] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                              "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/preferences/threads", test_threads);
  g_test_add_func ("/ui/preferences/engine-is-live", test_engine_is_live);
  g_test_add_func ("/ui/preferences/dataset-folder", test_dataset_folder);
  return g_test_run ();
}
