/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Train page's Download button against a local mirror
 * (tests/download-server.py) serving a tiny gzipped IDX dataset: a 404 on
 * the first mirror, the second one used, the page loading the data by
 * itself; and Cancel half way leaving the .part and no data. The test's own
 * MD5s reach the page through its test-only source setter. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cvl-train-page-private.h"
#include "cvl-window.h"
#include "download-server.h"
#include "ui-test-util.h"

static const char *names[] = {
  "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
};

typedef struct
{
  TestServer       *server;
  CvlDatasetSource  source;
  char             *md5[4];
  char             *mirrors;
  char             *data_dir;   /* where the page downloads MNIST */
  GtkWidget        *window;
  CvlTrainPage     *page;
} Fixture;

static guint8 *
gzip_bytes (const guint8 *data, gsize len, gsize *out_len)
{
  g_autoptr(GZlibCompressor) gz = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (gz));
  GError *error = NULL;

  g_output_stream_write_all (out, data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  *out_len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
}

/* An IDX file (magic 0 0 8 n_dims, big-endian dims) of n 28×28 noise
 * images or n labels, gzipped, served as `name`. */
static char *
serve_idx (TestServer *server, const char *name, int n, gboolean images, guint32 seed)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree guint8 *gz = NULL;
  guint8 magic[4] = { 0, 0, 8, images ? 3 : 1 };
  guint32 dims[3] = { GUINT32_TO_BE (n), GUINT32_TO_BE (28), GUINT32_TO_BE (28) };
  GRand *rand = g_rand_new_with_seed (seed);
  gsize gz_len;

  g_byte_array_append (bytes, magic, 4);
  g_byte_array_append (bytes, (guint8 *) dims, images ? 12 : 4);
  for (int i = 0; i < n * (images ? 784 : 1); i++)
    {
      guint8 v = images ? g_rand_int_range (rand, 0, 256) : g_rand_int_range (rand, 0, 10);

      g_byte_array_append (bytes, &v, 1);
    }
  g_rand_free (rand);
  gz = gzip_bytes (bytes->data, bytes->len, &gz_len);
  return test_server_add_file (server, name, gz, gz_len);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  const char *modes = data;
  g_auto(GStrv) split = g_strsplit (modes, " ", -1);
  g_autoptr(GString) mirrors = g_string_new (NULL);

  f->server = test_server_start ();
  f->md5[0] = serve_idx (f->server, names[0], 400, TRUE, 1);
  f->md5[1] = serve_idx (f->server, names[1], 400, FALSE, 2);
  f->md5[2] = serve_idx (f->server, names[2], 64, TRUE, 3);
  f->md5[3] = serve_idx (f->server, names[3], 64, FALSE, 4);
  for (guint i = 0; split[i] != NULL; i++)
    {
      g_autofree char *url = test_server_url (f->server, split[i]);

      g_string_append_printf (mirrors, "%s%s", i > 0 ? " " : "", url);
    }
  f->mirrors = g_string_free (g_steal_pointer (&mirrors), FALSE);
  f->source.name = "mnist";
  f->source.mirrors = f->mirrors;
  for (int i = 0; i < 4; i++)
    f->source.files[i] = (CvlDownloadFile) { names[i], f->md5[i] };
  f->data_dir = cvl_dataset_user_dir ("mnist");

  f->window = g_object_ref (GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL)));
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = CVL_TRAIN_PAGE (find_widget (f->window, CVL_TYPE_TRAIN_PAGE));
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find_widget (f->window,
                                                                      ADW_TYPE_VIEW_STACK)),
                                         "train");
  cvl_train_page_set_download_source_for_tests (f->page, &f->source);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  while (g_main_context_iteration (NULL, FALSE));
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *path = g_build_filename (f->data_dir, names[i], NULL);
      g_autofree char *part = g_strconcat (path, ".part", NULL);

      g_unlink (path);
      g_unlink (part);
      g_free (f->md5[i]);
    }
  g_rmdir (f->data_dir);
  g_free (f->data_dir);
  g_free (f->mirrors);
  test_server_stop (f->server);
}

static gboolean
has_data (gpointer page)
{
  return cvl_train_page_has_data (page);
}

static gboolean
download_offered (gpointer page)
{
  return gtk_widget_get_visible (CVL_TRAIN_PAGE (page)->download_button);
}

static void
test_download_loads (Fixture *f, gconstpointer data)
{
  g_autofree char *log = NULL;

  g_assert_false (cvl_train_page_has_data (f->page));
  g_assert_true (download_offered (f->page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "train.download", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->page->download_row)));
  g_assert_false (download_offered (f->page));
  wait_until (has_data, f->page);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->page->download_row)));

  for (int i = 0; i < 4; i++)
    {
      g_autofree char *path = g_build_filename (f->data_dir, names[i], NULL);
      g_autofree char *part = g_strconcat (path, ".part", NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
    }
  log = test_server_log (f->server);
  g_assert_true (g_str_has_prefix (log, "missing train-images-idx3-ubyte.gz - 404\n"
                                        "good train-images-idx3-ubyte.gz - 200\n"));
  g_assert_true (window_shows_text (GTK_WIDGET (f->page), "400 training and 64 test images"));
}

static gboolean
part_started (gpointer data)
{
  Fixture *f = data;
  g_autofree char *part = g_build_filename (f->data_dir, "train-images-idx3-ubyte.gz.part",
                                            NULL);
  GStatBuf st;

  return g_stat (part, &st) == 0 && st.st_size > 0;
}

static void
test_cancel_keeps_part (Fixture *f, gconstpointer data)
{
  g_autofree char *part = g_build_filename (f->data_dir, "train-images-idx3-ubyte.gz.part",
                                            NULL);
  g_autofree char *path = g_build_filename (f->data_dir, "train-images-idx3-ubyte.gz", NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "train.download", NULL));
  wait_until (part_started, f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "train.cancel-download",
                                             NULL));
  /* The slow mirror would take many seconds more; Cancel ends it at once. */
  wait_until (download_offered, f->page);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->page->download_row)));
  g_assert_true (window_shows_text (f->window, "Download stopped"));
  g_assert_true (g_file_test (part, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (cvl_train_page_has_data (f->page));
}

int
main (int argc, char **argv)
{
  g_autofree char *home = g_dir_make_tmp ("cvl-download-home-XXXXXX", NULL);
  g_autofree char *mnist = NULL;
  int status;

  /* The page downloads into $XDG_DATA_HOME/convolve/mnist: a fresh one,
   * set before GLib reads it, with no other MNIST to find. */
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_unsetenv ("CONVOLVE_MNIST_DIR");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add ("/ui/train-page/download/404-then-mirror-loads", Fixture, "missing good",
              fixture_setup, test_download_loads, fixture_teardown);
  g_test_add ("/ui/train-page/download/cancel-keeps-part", Fixture, "slow",
              fixture_setup, test_cancel_keeps_part, fixture_teardown);
  status = g_test_run ();
  mnist = g_build_filename (home, "convolve", NULL);
  g_rmdir (mnist);
  g_rmdir (home);
  return status;
}
