/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Downloads against a local mirror (tests/download-server.py): good files,
 * a 404 and a corrupt file that move on to the next mirror, a connection
 * cut half way whose .part is resumed with a Range request, a server that
 * ignores Range, a cancel that keeps the .part, and the real sources'
 * published checksums and mirror override. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cvl-dataset.h"
#include "cvl-download.h"
#include "download-server.h"

#define BIG_SIZE (300 * 1024)

typedef struct
{
  TestServer      *server;
  char            *dir;
  CvlDownloadFile  files[2];
  char            *md5[2];
  guint8          *big;
} Fixture;

static const char *names[] = { "big.gz", "small.gz" };

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  guint8 small[100];
  GRand *rand = g_rand_new_with_seed (7);

  f->server = test_server_start ();
  f->dir = g_dir_make_tmp ("cvl-download-XXXXXX", NULL);
  f->big = g_malloc (BIG_SIZE);
  for (gsize i = 0; i < BIG_SIZE; i++)
    f->big[i] = g_rand_int (rand) & 0xff;
  for (gsize i = 0; i < sizeof small; i++)
    small[i] = i;
  f->md5[0] = test_server_add_file (f->server, names[0], f->big, BIG_SIZE);
  f->md5[1] = test_server_add_file (f->server, names[1], small, sizeof small);
  for (int i = 0; i < 2; i++)
    f->files[i] = (CvlDownloadFile) { names[i], f->md5[i] };
  g_rand_free (rand);
}

static char *
path_in (Fixture *f, const char *name, const char *suffix)
{
  g_autofree char *base = g_build_filename (f->dir, name, NULL);

  return g_strconcat (base, suffix, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *path = path_in (f, names[i], "");
      g_autofree char *part = path_in (f, names[i], ".part");

      g_unlink (path);
      g_unlink (part);
      g_free (f->md5[i]);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->big);
  test_server_stop (f->server);
}

/* Downloads both files from the mirror modes given, NULL-terminated. */
static gboolean
download (Fixture *f, GError **error, ...)
{
  g_autoptr(GPtrArray) mirrors = g_ptr_array_new_with_free_func (g_free);
  const char *mode;
  va_list ap;

  va_start (ap, error);
  while ((mode = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (mirrors, test_server_url (f->server, mode));
  va_end (ap);
  g_ptr_array_add (mirrors, NULL);
  return cvl_download_files ((const char * const *) mirrors->pdata, f->files, 2, f->dir,
                             NULL, NULL, NULL, error);
}

static void
assert_downloaded (Fixture *f)
{
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *path = path_in (f, names[i], "");
      g_autofree char *part = path_in (f, names[i], ".part");
      g_autofree char *sum = cvl_download_md5_of_file (path, NULL, NULL);

      g_assert_cmpstr (sum, ==, f->md5[i]);
      g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
    }
}

static void
test_good (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  g_assert_true (download (f, &error, "good", NULL));
  g_assert_no_error (error);
  assert_downloaded (f);
  log = test_server_log (f->server);
  g_assert_cmpstr (log, ==, "good big.gz - 200\ngood small.gz - 200\n");

  /* Files already there with the right MD5 are not fetched again. */
  test_server_clear_log (f->server);
  g_assert_true (download (f, &error, "good", NULL));
  g_clear_pointer (&log, g_free);
  log = test_server_log (f->server);
  g_assert_cmpstr (log, ==, "");
}

static void
test_404_next_mirror (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  g_assert_true (download (f, &error, "missing", "good", NULL));
  g_assert_no_error (error);
  assert_downloaded (f);
  log = test_server_log (f->server);
  g_assert_cmpstr (log, ==, "missing big.gz - 404\ngood big.gz - 200\n"
                            "missing small.gz - 404\ngood small.gz - 200\n");
}

static void
test_corrupt_next_mirror (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (download (f, &error, "corrupt", "good", NULL));
  g_assert_no_error (error);
  assert_downloaded (f);
}

static void
test_corrupt_everywhere (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = path_in (f, names[0], "");
  g_autofree char *part = path_in (f, names[0], ".part");

  g_assert_false (download (f, &error, "corrupt", "missing", NULL));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "big.gz"));
  g_assert_nonnull (strstr (error->message, "MD5"));
  g_assert_nonnull (strstr (error->message, "404"));
  /* Deleted, never kept for later or renamed into place. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

static void
test_drop_resumes (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *part = path_in (f, names[0], ".part");
  g_autofree char *log = NULL, *expected = NULL;
  GStatBuf st;

  g_assert_false (download (f, &error, "drop", NULL));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "stopped after"));
  g_clear_error (&error);
  /* Half the file arrived and stays for the next attempt. */
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, BIG_SIZE / 2);

  test_server_clear_log (f->server);
  g_assert_true (download (f, &error, "good", NULL));
  g_assert_no_error (error);
  assert_downloaded (f);
  log = test_server_log (f->server);
  expected = g_strdup_printf ("good big.gz bytes=%d- 206\ngood small.gz - 200\n", BIG_SIZE / 2);
  g_assert_cmpstr (log, ==, expected);
}

static void
test_drop_then_next_mirror (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (download (f, &error, "drop", "good", NULL));
  g_assert_no_error (error);
  assert_downloaded (f);
  log = test_server_log (f->server);
  expected = g_strdup_printf ("drop big.gz - 200\ngood big.gz bytes=%d- 206\n", BIG_SIZE / 2);
  g_assert_true (g_str_has_prefix (log, expected));
}

static void
test_range_ignored (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;

  g_assert_false (download (f, &error, "drop", NULL));
  g_clear_error (&error);
  test_server_clear_log (f->server);
  /* A 200 to a Range request is the whole file: it replaces the .part. */
  g_assert_true (download (f, &error, "norange", NULL));
  g_assert_no_error (error);
  assert_downloaded (f);
  log = test_server_log (f->server);
  expected = g_strdup_printf ("norange big.gz bytes=%d- 200\n", BIG_SIZE / 2);
  g_assert_true (g_str_has_prefix (log, expected));
}

static void
cancel_when_started (guint index, goffset done, goffset total, gpointer user_data)
{
  if (done > 0)
    g_cancellable_cancel (user_data);
}

static void
test_cancel_keeps_part (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *url = test_server_url (f->server, "slow");
  g_autofree char *part = path_in (f, names[0], ".part");
  g_autofree char *path = path_in (f, names[0], "");
  const char *mirrors[] = { url, NULL };
  gint64 start = g_get_monotonic_time ();
  GStatBuf st;

  /* The slow mirror needs ~15 s for the second half; cancelling ends it now. */
  g_assert_false (cvl_download_files (mirrors, f->files, 2, f->dir, cancel_when_started,
                                      cancellable, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);
  g_assert_cmpint (st.st_size, <, BIG_SIZE);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_sources (void)
{
  const CvlDatasetSource *mnist = cvl_dataset_source ("mnist");
  const CvlDatasetSource *fashion = cvl_dataset_source ("fashion");
  g_auto(GStrv) mirrors = NULL, mine = NULL;

  g_assert_nonnull (mnist);
  g_assert_nonnull (fashion);
  g_assert_null (cvl_dataset_source ("cifar"));
  g_assert_cmpstr (mnist->files[0].name, ==, "train-images-idx3-ubyte.gz");
  g_assert_cmpstr (mnist->files[0].md5, ==, "f68b3c2dcbeaaa9fbdd348bbdeb94873");
  g_assert_cmpstr (mnist->files[3].md5, ==, "ec29112dd5afa0611ce80d1b7f02629c");
  g_assert_cmpstr (fashion->files[1].name, ==, "train-labels-idx1-ubyte.gz");

  g_unsetenv ("CONVOLVE_MNIST_MIRRORS");
  mirrors = cvl_dataset_source_mirrors (mnist);
  g_assert_cmpuint (g_strv_length (mirrors), ==, 2);
  g_assert_cmpstr (mirrors[0], ==, "https://ossci-datasets.s3.amazonaws.com/mnist/");
  g_assert_cmpstr (mirrors[1], ==, "http://yann.lecun.com/exdb/mnist/");
  g_setenv ("CONVOLVE_MNIST_MIRRORS", " http://127.0.0.1:1/a  http://127.0.0.1:1/b ", TRUE);
  mine = cvl_dataset_source_mirrors (mnist);
  g_unsetenv ("CONVOLVE_MNIST_MIRRORS");
  g_assert_cmpuint (g_strv_length (mine), ==, 2);
  g_assert_cmpstr (mine[1], ==, "http://127.0.0.1:1/b");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/core/download/good", test_good);
  ADD ("/core/download/404-next-mirror", test_404_next_mirror);
  ADD ("/core/download/corrupt-next-mirror", test_corrupt_next_mirror);
  ADD ("/core/download/corrupt-everywhere-deleted", test_corrupt_everywhere);
  ADD ("/core/download/drop-keeps-part-and-resumes", test_drop_resumes);
  ADD ("/core/download/drop-resumes-on-next-mirror", test_drop_then_next_mirror);
  ADD ("/core/download/server-ignores-range", test_range_ignored);
  ADD ("/core/download/cancel-keeps-part", test_cancel_keeps_part);
#undef ADD
  g_test_add_func ("/core/download/sources", test_sources);
  return g_test_run ();
}
