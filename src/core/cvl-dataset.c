/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MNIST-like datasets on disk: the four IDX files of a folder (raw or .gz),
 * loaded and checked against each other, the folders where MNIST and
 * Fashion-MNIST are looked for, MNIST's published SHA-256 sums, and the
 * mirrors and MD5s of both datasets' .gz files. */
#include "config.h"

#include <string.h>

#include "cvl-dataset.h"
#include "cvl-error.h"

#define N_CLASSES 10

typedef enum
{
  FILE_TRAIN_IMAGES,
  FILE_TRAIN_LABELS,
  FILE_TEST_IMAGES,
  FILE_TEST_LABELS,
  N_FILES
} DatasetFile;

static const char * const file_names[N_FILES] = {
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
};

/* SHA-256 of the raw (uncompressed) MNIST files, as in issue 4. */
static const char * const mnist_sha256[N_FILES] = {
  "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
};

/* MD5 of the .gz files: MNIST's as issue 7 and scripts/fetch-mnist give
 * them; Fashion-MNIST's from the table in zalandoresearch/fashion-mnist's
 * README ("Get the Data"). */
static const CvlDatasetSource sources[] = {
  {
    "mnist",
    "https://ossci-datasets.s3.amazonaws.com/mnist/ http://yann.lecun.com/exdb/mnist/",
    "CONVOLVE_MNIST_MIRRORS",
    {
      { "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873" },
      { "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432" },
      { "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3" },
      { "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c" },
    },
  },
  {
    "fashion",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "CONVOLVE_FASHION_MNIST_MIRRORS",
    {
      { "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d" },
      { "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe" },
      { "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79" },
      { "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310" },
    },
  },
};

#define DEBIAN_FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* The file's path in `dir`, raw preferred over .gz; NULL if neither exists. */
static char *
dataset_file_path (const char  *dir,
                   DatasetFile  which)
{
  g_autofree char *raw = g_build_filename (dir, file_names[which], NULL);
  g_autofree char *gz = g_strconcat (raw, ".gz", NULL);

  if (g_file_test (raw, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&raw);
  if (g_file_test (gz, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&gz);
  return NULL;
}

static char *
dataset_require_file (const char   *dir,
                      DatasetFile   which,
                      GError      **error)
{
  char *path = dataset_file_path (dir, which);

  if (path == NULL)
    g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "“%s” has no %s (raw or .gz)",
                 dir, file_names[which]);
  return path;
}

static gboolean
dataset_dir_complete (const char *dir)
{
  for (int i = 0; i < N_FILES; i++)
    {
      g_autofree char *path = dataset_file_path (dir, i);

      if (path == NULL)
        return FALSE;
    }
  return TRUE;
}

/* "mnist" and "fashion" for the folders this module names, else the folder's name. */
static char *
dataset_name_for_dir (const char *dir)
{
  g_autofree char *base = g_path_get_basename (dir);

  if (g_str_equal (base, "fashion-mnist"))
    return g_strdup ("fashion");
  return g_steal_pointer (&base);
}

static gboolean
check_counts (const CvlIdxImages *images,
              const CvlIdxLabels *labels,
              const char         *images_path,
              const char         *labels_path,
              GError            **error)
{
  if (images->count != labels->count)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” has %d images but “%s” has %d labels",
                   images_path, images->count, labels_path, labels->count);
      return FALSE;
    }
  return TRUE;
}

CvlDataset *
cvl_dataset_load (const char  *dir,
                  GError     **error)
{
  g_autoptr(CvlDataset) dataset = NULL;
  g_auto(GStrv) paths = g_new0 (char *, N_FILES + 1);

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "“%s” is not a folder", dir);
      return NULL;
    }
  for (int i = 0; i < N_FILES; i++)
    {
      paths[i] = dataset_require_file (dir, i, error);
      if (paths[i] == NULL)
        return NULL;
    }

  dataset = g_new0 (CvlDataset, 1);
  dataset->name = dataset_name_for_dir (dir);
  dataset->dir = g_strdup (dir);

  dataset->train_images = cvl_idx_load_images (paths[FILE_TRAIN_IMAGES], error);
  if (dataset->train_images == NULL)
    return NULL;
  dataset->train_labels = cvl_idx_load_labels (paths[FILE_TRAIN_LABELS], N_CLASSES, error);
  if (dataset->train_labels == NULL)
    return NULL;
  dataset->test_images = cvl_idx_load_images (paths[FILE_TEST_IMAGES], error);
  if (dataset->test_images == NULL)
    return NULL;
  dataset->test_labels = cvl_idx_load_labels (paths[FILE_TEST_LABELS], N_CLASSES, error);
  if (dataset->test_labels == NULL)
    return NULL;

  if (!check_counts (dataset->train_images, dataset->train_labels,
                     paths[FILE_TRAIN_IMAGES], paths[FILE_TRAIN_LABELS], error)
      || !check_counts (dataset->test_images, dataset->test_labels,
                        paths[FILE_TEST_IMAGES], paths[FILE_TEST_LABELS], error))
    return NULL;

  if (dataset->train_images->rows != dataset->test_images->rows
      || dataset->train_images->cols != dataset->test_images->cols)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” has images of %d×%d but “%s” of %d×%d",
                   paths[FILE_TRAIN_IMAGES], dataset->train_images->cols,
                   dataset->train_images->rows, paths[FILE_TEST_IMAGES],
                   dataset->test_images->cols, dataset->test_images->rows);
      return NULL;
    }

  return g_steal_pointer (&dataset);
}

void
cvl_dataset_free (CvlDataset *dataset)
{
  if (dataset == NULL)
    return;
  g_free (dataset->name);
  g_free (dataset->dir);
  cvl_idx_images_free (dataset->train_images);
  cvl_idx_labels_free (dataset->train_labels);
  cvl_idx_images_free (dataset->test_images);
  cvl_idx_labels_free (dataset->test_labels);
  g_free (dataset);
}

char *
cvl_dataset_user_dir (const char *name)
{
  g_return_val_if_fail (name != NULL && *name != '\0', NULL);

  return g_build_filename (g_get_user_data_dir (), "convolve",
                           g_str_equal (name, "fashion") ? "fashion-mnist" : name,
                           NULL);
}

char *
cvl_dataset_find (const char  *name,
                  GError     **error)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) tried = NULL;
  const char *env_name;
  const char *env_dir;
  gboolean mnist;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_str_equal (name, "mnist"))
    mnist = TRUE;
  else if (g_str_equal (name, "fashion"))
    mnist = FALSE;
  else
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a known dataset (mnist or fashion)", name);
      return NULL;
    }

  env_name = mnist ? "CONVOLVE_MNIST_DIR" : "CONVOLVE_FASHION_MNIST_DIR";
  env_dir = g_getenv (env_name);
  if (env_dir != NULL && *env_dir != '\0')
    g_ptr_array_add (candidates, g_strdup (env_dir));
  g_ptr_array_add (candidates, cvl_dataset_user_dir (name));
  if (!mnist)
    g_ptr_array_add (candidates, g_strdup (DEBIAN_FASHION_DIR));

  for (guint i = 0; i < candidates->len; i++)
    if (dataset_dir_complete (candidates->pdata[i]))
      return g_strdup (candidates->pdata[i]);

  tried = g_string_new (NULL);
  for (guint i = 0; i < candidates->len; i++)
    g_string_append_printf (tried, "%s%s", i == 0 ? "" : ", ", (char *) candidates->pdata[i]);
  if (mnist)
    g_set_error (error, CVL_ERROR, CVL_ERROR_IO,
                 "MNIST was not found (looked in %s); run scripts/fetch-mnist to "
                 "download it, or set %s to a folder with its four IDX files",
                 tried->str, env_name);
  else
    g_set_error (error, CVL_ERROR, CVL_ERROR_IO,
                 "Fashion-MNIST was not found (looked in %s); install Debian's "
                 "dataset-fashion-mnist, or set %s to a folder with its four IDX files",
                 tried->str, env_name);
  return NULL;
}

/* SHA-256 of the file's raw content (decompressed when it is gzip). */
static char *
sha256_of_file (const char  *path,
                GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GError) local_error = NULL;
  char *sum;

  input = G_INPUT_STREAM (g_file_read (file, NULL, &local_error));
  if (input == NULL)
    goto failed;
  if (g_str_has_suffix (path, ".gz"))
    {
      g_autoptr(GZlibDecompressor) decompressor =
        g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      GInputStream *converted = g_converter_input_stream_new (input, G_CONVERTER (decompressor));

      g_object_unref (input);
      input = converted;
    }

  sum = cvl_download_checksum (input, G_CHECKSUM_SHA256, NULL, &local_error);
  if (sum == NULL)
    goto failed;
  return sum;

failed:
  g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not read “%s”: %s",
               path, local_error->message);
  return NULL;
}

gboolean
cvl_dataset_verify_mnist (const char  *dir,
                          GError     **error)
{
  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (int i = 0; i < N_FILES; i++)
    {
      g_autofree char *path = dataset_require_file (dir, i, error);
      g_autofree char *sum = NULL;

      if (path == NULL)
        return FALSE;
      sum = sha256_of_file (path, error);
      if (sum == NULL)
        return FALSE;
      if (!g_str_equal (sum, mnist_sha256[i]))
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                       "“%s” is not MNIST's %s: its SHA-256 is %s, not %s",
                       path, file_names[i], sum, mnist_sha256[i]);
          return FALSE;
        }
    }
  return TRUE;
}

const CvlDatasetSource *
cvl_dataset_source (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (g_str_equal (sources[i].name, name))
      return &sources[i];
  return NULL;
}

char **
cvl_dataset_source_mirrors (const CvlDatasetSource *source)
{
  const char *env;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) mirrors = g_strv_builder_new ();

  g_return_val_if_fail (source != NULL, NULL);

  env = source->mirrors_env != NULL ? g_getenv (source->mirrors_env) : NULL;
  parts = g_strsplit (env != NULL && *env != '\0' ? env : source->mirrors, " ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (mirrors, parts[i]);
  return g_strv_builder_end (mirrors);
}

gboolean
cvl_dataset_download (const CvlDatasetSource *source,
                      const char             *dir,
                      CvlDownloadProgress     progress,
                      gpointer                user_data,
                      GCancellable           *cancellable,
                      GError                **error)
{
  g_auto(GStrv) mirrors = NULL;

  g_return_val_if_fail (source != NULL && dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  mirrors = cvl_dataset_source_mirrors (source);
  return cvl_download_files ((const char * const *) mirrors, source->files,
                             G_N_ELEMENTS (source->files), dir, progress, user_data,
                             cancellable, error);
}
