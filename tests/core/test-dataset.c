/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Dataset tests on tiny folders written here: the four files found raw or
 * .gz, counts checked against each other, where MNIST is looked for
 * ($CONVOLVE_MNIST_DIR first) and checksums refused when they differ. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cvl-dataset.h"
#include "cvl-error.h"

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cvl-dataset-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

static void
gzip_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *gz_path = g_strconcat (path, ".gz", NULL);
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP,
                                                                 -1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) stream = g_converter_output_stream_new (memory,
                                                                   G_CONVERTER (compressor));
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (stream, contents, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (stream, NULL, &error);
  g_assert_no_error (error);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  g_file_set_contents (gz_path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       &error);
  g_assert_no_error (error);
  g_unlink (path);
}

static void
write_images (const char *dir,
              const char *name,
              int         count,
              int         side)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree guint8 *pixels = g_new0 (guint8, (gsize) count * side * side);
  CvlIdxImages images = { count, side, side, pixels };
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < count; i++)
    pixels[(gsize) i * side * side + i % (side * side)] = 255;
  cvl_idx_save_images (path, &images, &error);
  g_assert_no_error (error);
}

static void
write_labels (const char *dir,
              const char *name,
              int         count)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree guint8 *values = g_new0 (guint8, count);
  CvlIdxLabels labels = { count, values };
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < count; i++)
    values[i] = i % 10;
  cvl_idx_save_labels (path, &labels, &error);
  g_assert_no_error (error);
}

/* A complete tiny dataset: 12 training and 5 test images of side × side. */
static void
write_dataset (const char *dir)
{
  write_images (dir, "train-images-idx3-ubyte", 12, 6);
  write_labels (dir, "train-labels-idx1-ubyte", 12);
  write_images (dir, "t10k-images-idx3-ubyte", 5, 6);
  write_labels (dir, "t10k-labels-idx1-ubyte", 5);
}

static void
test_load_raw (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *dir = g_build_filename (tmp, "fashion-mnist", NULL);
  g_autoptr(CvlDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir (dir, 0700);
  write_dataset (dir);
  dataset = cvl_dataset_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dataset->name, ==, "fashion");
  g_assert_cmpstr (dataset->dir, ==, dir);
  g_assert_cmpint (dataset->train_images->count, ==, 12);
  g_assert_cmpint (dataset->train_labels->count, ==, 12);
  g_assert_cmpint (dataset->test_images->count, ==, 5);
  g_assert_cmpint (dataset->test_labels->count, ==, 5);
  g_assert_cmpint (dataset->test_images->rows, ==, 6);
  g_assert_cmpint (dataset->train_labels->labels[11], ==, 1);
  g_assert_cmpint (dataset->train_images->pixels[36 * 3 + 3], ==, 255);

  remove_tree (tmp);
}

/* Debian's dataset-fashion-mnist ships the four files as .gz only. */
static void
test_load_gzip (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(CvlDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

  write_dataset (dir);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      if (i != 1) /* one stays raw: a folder may mix both */
        gzip_file (path);
    }
  dataset = cvl_dataset_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dataset->train_images->count, ==, 12);
  g_assert_cmpint (dataset->test_labels->labels[4], ==, 4);

  remove_tree (dir);
}

static void
test_missing_file (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "t10k-labels-idx1-ubyte", NULL);
  g_autoptr(CvlDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  write_dataset (dir);
  g_unlink (path);
  dataset = cvl_dataset_load (dir, &error);
  g_assert_null (dataset);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "t10k-labels-idx1-ubyte"));

  remove_tree (dir);
}

static void
test_count_mismatch (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(CvlDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  write_dataset (dir);
  write_labels (dir, "train-labels-idx1-ubyte", 11);
  dataset = cvl_dataset_load (dir, &error);
  g_assert_null (dataset);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "12 images"));
  g_assert_nonnull (strstr (error->message, "11 labels"));

  remove_tree (dir);
}

static void
test_size_mismatch (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(CvlDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  write_dataset (dir);
  write_images (dir, "t10k-images-idx3-ubyte", 5, 7);
  dataset = cvl_dataset_load (dir, &error);
  g_assert_null (dataset);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "t10k-images-idx3-ubyte"));

  remove_tree (dir);
}

/* A label of 10 in a dataset of digits. */
static void
test_bad_label (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "train-labels-idx1-ubyte", NULL);
  g_autoptr(CvlDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  guint8 values[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0 };
  CvlIdxLabels labels = { 12, values };

  write_dataset (dir);
  cvl_idx_save_labels (path, &labels, &error);
  g_assert_no_error (error);
  dataset = cvl_dataset_load (dir, &error);
  g_assert_null (dataset);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "train-labels-idx1-ubyte"));

  remove_tree (dir);
}

static void
test_find_env (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  write_dataset (dir);
  g_setenv ("CONVOLVE_MNIST_DIR", dir, TRUE);
  found = cvl_dataset_find ("mnist", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, dir);

  g_setenv ("CONVOLVE_FASHION_MNIST_DIR", dir, TRUE);
  g_clear_pointer (&found, g_free);
  found = cvl_dataset_find ("fashion", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, dir);

  g_unsetenv ("CONVOLVE_MNIST_DIR");
  g_unsetenv ("CONVOLVE_FASHION_MNIST_DIR");
  remove_tree (dir);
}

/* The user data folder is the next place; an incomplete folder is skipped. */
static void
test_find_user_dir (void)
{
  g_autofree char *user_dir = cvl_dataset_user_dir ("mnist");
  g_autofree char *incomplete = make_temp_dir ();
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  /* main() set a fresh XDG_DATA_HOME. */
  g_assert_true (g_str_has_prefix (user_dir, g_get_user_data_dir ()));
  g_assert_true (g_str_has_suffix (user_dir, "/convolve/mnist"));
  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0700), ==, 0);
  write_dataset (user_dir);

  write_images (incomplete, "train-images-idx3-ubyte", 12, 6);
  g_setenv ("CONVOLVE_MNIST_DIR", incomplete, TRUE);
  found = cvl_dataset_find ("mnist", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, user_dir);

  g_unsetenv ("CONVOLVE_MNIST_DIR");
  remove_tree (incomplete);
  remove_tree (user_dir);
}

static void
test_find_nothing (void)
{
  g_autofree char *empty = make_temp_dir ();
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("CONVOLVE_MNIST_DIR", empty, TRUE);
  found = cvl_dataset_find ("mnist", &error);
  g_assert_null (found);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, empty));
  g_assert_nonnull (strstr (error->message, "fetch-mnist"));
  g_clear_error (&error);

  found = cvl_dataset_find ("cifar", &error);
  g_assert_null (found);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);

  g_unsetenv ("CONVOLVE_MNIST_DIR");
  remove_tree (empty);
}

static void
test_user_dir_names (void)
{
  g_autofree char *mnist = cvl_dataset_user_dir ("mnist");
  g_autofree char *fashion = cvl_dataset_user_dir ("fashion");
  g_autofree char *expected_mnist = g_build_filename (g_get_user_data_dir (), "convolve",
                                                      "mnist", NULL);
  g_autofree char *expected_fashion = g_build_filename (g_get_user_data_dir (), "convolve",
                                                        "fashion-mnist", NULL);

  g_assert_cmpstr (mnist, ==, expected_mnist);
  g_assert_cmpstr (fashion, ==, expected_fashion);
}

/* Tiny files are not MNIST: every checksum differs, and the message says
 * which file and both sums. */
static void
test_verify_wrong_hash (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(GError) error = NULL;

  write_dataset (dir);
  g_assert_false (cvl_dataset_verify_mnist (dir, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "train-images-idx3-ubyte"));
  g_assert_nonnull (strstr (error->message,
                            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"));
  g_clear_error (&error);

  remove_tree (dir);
  g_assert_false (cvl_dataset_verify_mnist (dir, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_IO);
}

/* The real files (scripts/fetch-mnist) load and verify. Registered only when
 * CVL_TEST_MNIST_DIR names their folder: MNIST is never part of the tree. */
static void
test_real_mnist (void)
{
  const char *env = g_getenv ("CVL_TEST_MNIST_DIR");
  g_autoptr(CvlDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cvl_dataset_verify_mnist (env, &error));
  g_assert_no_error (error);
  dataset = cvl_dataset_load (env, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dataset->train_images->count, ==, 60000);
  g_assert_cmpint (dataset->test_images->count, ==, 10000);
  g_assert_cmpint (dataset->test_images->rows, ==, 28);
  g_assert_cmpint (dataset->test_images->cols, ==, 28);
  /* MNIST's first training label is a 5, the first test label a 7. */
  g_assert_cmpint (dataset->train_labels->labels[0], ==, 5);
  g_assert_cmpint (dataset->test_labels->labels[0], ==, 7);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("cvl-dataset-home-XXXXXX", NULL);
  int status;

  /* A data folder of our own, set before GLib first reads it, so the user's
   * MNIST is neither found nor touched. (G_TEST_OPTION_ISOLATE_DIRS leaks
   * its paths in GLib 2.74, which LeakSanitizer reports.) */
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_get_user_data_dir (), ==, data_home);

  g_unsetenv ("CONVOLVE_MNIST_DIR");
  g_unsetenv ("CONVOLVE_FASHION_MNIST_DIR");

  g_test_add_func ("/core/dataset/load-raw", test_load_raw);
  g_test_add_func ("/core/dataset/load-gzip", test_load_gzip);
  g_test_add_func ("/core/dataset/missing-file", test_missing_file);
  g_test_add_func ("/core/dataset/count-mismatch", test_count_mismatch);
  g_test_add_func ("/core/dataset/size-mismatch", test_size_mismatch);
  g_test_add_func ("/core/dataset/bad-label", test_bad_label);
  g_test_add_func ("/core/dataset/find-env", test_find_env);
  g_test_add_func ("/core/dataset/find-user-dir", test_find_user_dir);
  g_test_add_func ("/core/dataset/find-nothing", test_find_nothing);
  g_test_add_func ("/core/dataset/user-dir-names", test_user_dir_names);
  g_test_add_func ("/core/dataset/verify-wrong-hash", test_verify_wrong_hash);
  if (g_getenv ("CVL_TEST_MNIST_DIR") != NULL)
    g_test_add_func ("/core/dataset/real-mnist", test_real_mnist);

  status = g_test_run ();
  remove_tree (data_home);
  return status;
}
