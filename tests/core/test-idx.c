/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IDX reader tests on tiny files written here, raw and gzip: a round trip,
 * then every way a file can be wrong (truncated, wrong magic, type or
 * dimension count, lying sizes, trailing bytes, labels out of range). */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-idx.h"

static char *tmp_dir;

static char *
temp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static GBytes *
gzip_bytes (const guint8 *data,
            gsize         len)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP,
                                                                 -1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) stream = g_converter_output_stream_new (memory,
                                                                   G_CONVERTER (compressor));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (stream, data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (stream, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Plain stdio, no fsync: the mutation tests write thousands of scratch files. */
static void
write_file (const char   *path,
            const guint8 *data,
            gsize         len,
            gboolean      gzip)
{
  g_autoptr(GBytes) bytes = gzip ? gzip_bytes (data, len) : g_bytes_new_static (data, len);
  FILE *file = g_fopen (path, "wb");

  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), file),
                    ==, g_bytes_get_size (bytes));
  g_assert_cmpint (fclose (file), ==, 0);
}

/* A header for `ndims` sizes followed by `data_len` bytes counting up. */
static GByteArray *
idx_bytes (guint8         type,
           int            ndims,
           const guint32 *dims,
           gsize          data_len)
{
  GByteArray *array = g_byte_array_new ();
  guint8 magic[4] = { 0, 0, type, (guint8) ndims };

  g_byte_array_append (array, magic, 4);
  for (int i = 0; i < ndims; i++)
    {
      guint32 be = GUINT32_TO_BE (dims[i]);

      g_byte_array_append (array, (const guint8 *) &be, 4);
    }
  for (gsize i = 0; i < data_len; i++)
    {
      guint8 v = i % 7;

      g_byte_array_append (array, &v, 1);
    }
  return array;
}

static CvlIdxImages *
load_images_from (const guint8 *data,
                  gsize         len,
                  gboolean      gzip,
                  GError      **error)
{
  g_autofree char *path = temp_path (gzip ? "images.gz" : "images");

  write_file (path, data, len, gzip);
  return cvl_idx_load_images (path, error);
}

static CvlIdxLabels *
load_labels_from (const guint8 *data,
                  gsize         len,
                  gboolean      gzip,
                  GError      **error)
{
  g_autofree char *path = temp_path (gzip ? "labels.gz" : "labels");

  write_file (path, data, len, gzip);
  return cvl_idx_load_labels (path, 10, error);
}

/* Loading must fail with CVL_ERROR_FORMAT and a message naming the file. */
static void
expect_images_format_error (const guint8 *data,
                            gsize         len,
                            gboolean      gzip,
                            const char   *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlIdxImages) images = load_images_from (data, len, gzip, &error);

  g_assert_null (images);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, gzip ? "images.gz" : "images"));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, fragment);
}

static void
expect_labels_format_error (const guint8 *data,
                            gsize         len,
                            gboolean      gzip,
                            const char   *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlIdxLabels) labels = load_labels_from (data, len, gzip, &error);

  g_assert_null (labels);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, gzip ? "labels.gz" : "labels"));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, fragment);
}

static void
test_round_trip (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  g_autofree char *images_path = temp_path ("rt-images");
  g_autofree char *labels_path = temp_path ("rt-labels");
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *raw = NULL;
  gsize raw_len;
  guint8 pixels[3 * 4 * 5];
  guint8 values[3] = { 0, 9, 4 };
  CvlIdxImages images = { 3, 4, 5, pixels };
  CvlIdxLabels labels = { 3, values };
  g_autoptr(CvlIdxImages) images_back = NULL;
  g_autoptr(CvlIdxLabels) labels_back = NULL;

  for (guint i = 0; i < sizeof pixels; i++)
    pixels[i] = i * 4;

  g_assert_true (cvl_idx_save_images (images_path, &images, &error));
  g_assert_no_error (error);
  g_assert_true (cvl_idx_save_labels (labels_path, &labels, &error));
  g_assert_no_error (error);

  /* The exact bytes: big-endian header, then the data. */
  g_file_get_contents (images_path, (char **) &raw, &raw_len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (raw_len, ==, 16 + sizeof pixels);
  g_assert_cmpmem (raw, 16, "\0\0\x08\x03\0\0\0\x03\0\0\0\x04\0\0\0\x05", 16);
  g_assert_cmpmem (raw + 16, sizeof pixels, pixels, sizeof pixels);

  if (gzip)
    {
      g_autofree char *gz_path = temp_path ("rt-images.gz");
      g_autofree char *labels_raw = NULL;
      gsize labels_len;

      write_file (gz_path, raw, raw_len, TRUE);
      g_clear_pointer (&images_path, g_free);
      images_path = g_steal_pointer (&gz_path);

      /* gzip data is recognised by its magic, not by the name. */
      g_file_get_contents (labels_path, &labels_raw, &labels_len, &error);
      g_assert_no_error (error);
      write_file (labels_path, (const guint8 *) labels_raw, labels_len, TRUE);
    }

  images_back = cvl_idx_load_images (images_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (images_back->count, ==, 3);
  g_assert_cmpint (images_back->rows, ==, 4);
  g_assert_cmpint (images_back->cols, ==, 5);
  g_assert_cmpmem (images_back->pixels, sizeof pixels, pixels, sizeof pixels);

  labels_back = cvl_idx_load_labels (labels_path, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpint (labels_back->count, ==, 3);
  g_assert_cmpmem (labels_back->labels, 3, values, 3);
}

static void
test_truncated (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  guint32 dims[3] = { 2, 3, 3 };
  g_autoptr(GByteArray) full = idx_bytes (0x08, 3, dims, 18);

  /* In the data, in the sizes, in the magic, and an empty file. */
  expect_images_format_error (full->data, full->len - 1, gzip, "truncated");
  expect_images_format_error (full->data, 10, gzip, "truncated");
  expect_images_format_error (full->data, 2, gzip, "truncated");
  expect_images_format_error (full->data, 0, gzip, NULL);
}

static void
test_truncated_gzip_stream (void)
{
  guint32 dims[3] = { 20, 28, 28 };
  g_autoptr(GByteArray) full = idx_bytes (0x08, 3, dims, 20 * 28 * 28);
  g_autoptr(GBytes) gz = gzip_bytes (full->data, full->len);

  /* The compressed stream itself cut short, and damaged in the middle. */
  expect_images_format_error (g_bytes_get_data (gz, NULL), g_bytes_get_size (gz) / 2, FALSE,
                              NULL);
  {
    g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));

    memset (bad + 20, 0xff, 16);
    expect_images_format_error (bad, g_bytes_get_size (gz), FALSE, NULL);
  }
}

static void
test_trailing_bytes (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  guint32 dims[3] = { 2, 3, 3 };
  g_autoptr(GByteArray) full = idx_bytes (0x08, 3, dims, 18 + 1);
  guint32 label_dims[1] = { 4 };
  g_autoptr(GByteArray) labels = idx_bytes (0x08, 1, label_dims, 4 + 3);

  expect_images_format_error (full->data, full->len, gzip, NULL);
  expect_labels_format_error (labels->data, labels->len, gzip, NULL);
}

static void
test_wrong_magic (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  guint32 dims[3] = { 2, 3, 3 };
  g_autoptr(GByteArray) bytes = idx_bytes (0x08, 3, dims, 18);

  bytes->data[0] = 0x01;
  expect_images_format_error (bytes->data, bytes->len, gzip, "not an IDX file");
  bytes->data[0] = 0;
  bytes->data[1] = 0x08;
  expect_images_format_error (bytes->data, bytes->len, gzip, "not an IDX file");
}

static void
test_wrong_type (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  guint32 dims[3] = { 2, 3, 3 };
  /* 0x0d is float32: the same sizes in floats would be 72 bytes. */
  g_autoptr(GByteArray) floats = idx_bytes (0x0d, 3, dims, 72);
  g_autoptr(GByteArray) signed_bytes = idx_bytes (0x09, 3, dims, 18);

  expect_images_format_error (floats->data, floats->len, gzip, "type 0x0d");
  expect_images_format_error (signed_bytes->data, signed_bytes->len, gzip, "type 0x09");
}

static void
test_wrong_ndims (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  guint32 dims[4] = { 2, 3, 3, 1 };
  g_autoptr(GByteArray) two = idx_bytes (0x08, 2, dims, 6);
  g_autoptr(GByteArray) four = idx_bytes (0x08, 4, dims, 18);
  g_autoptr(GByteArray) three = idx_bytes (0x08, 3, dims, 18);

  expect_images_format_error (two->data, two->len, gzip, "2 dimensions");
  expect_images_format_error (four->data, four->len, gzip, "4 dimensions");
  /* Image data where labels are expected. */
  expect_labels_format_error (three->data, three->len, gzip, "3 dimensions");
}

static void
test_zero_size (void)
{
  guint32 dims[3] = { 2, 0, 3 };
  g_autoptr(GByteArray) bytes = idx_bytes (0x08, 3, dims, 0);

  expect_images_format_error (bytes->data, bytes->len, FALSE, "size 0");
}

/* A header claiming 2^31 images (and 2^31 − 1, which fits an int) must fail
 * at once, without allocating gigabytes; the file holds only a few bytes. */
static void
test_lying_header (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  guint32 claims[] = { 0x80000000u, 0x7fffffffu, 0xffffffffu, 1u << 24 };

  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    {
      guint32 dims[3] = { claims[i], 28, 28 };
      guint32 label_dims[1] = { claims[i] };
      g_autoptr(GByteArray) images = idx_bytes (0x08, 3, dims, 28 * 28);
      g_autoptr(GByteArray) labels = idx_bytes (0x08, 1, label_dims, 10);
      gint64 start = g_get_monotonic_time ();

      expect_images_format_error (images->data, images->len, gzip, NULL);
      expect_labels_format_error (labels->data, labels->len, gzip, NULL);
      /* Well under a second: nothing was decompressed or allocated in bulk. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
    }
}

/* Over the 1 GiB cap whatever the file's length. */
static void
test_too_large (void)
{
  guint32 dims[3] = { 1u << 20, 32, 33 };
  g_autoptr(GByteArray) bytes = idx_bytes (0x08, 3, dims, 10);

  expect_images_format_error (bytes->data, bytes->len, TRUE, "1 GiB");
}

static void
test_label_out_of_range (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  guint32 dims[1] = { 4 };
  g_autoptr(GByteArray) bytes = idx_bytes (0x08, 1, dims, 4);

  bytes->data[8 + 2] = 10;
  expect_labels_format_error (bytes->data, bytes->len, gzip, "label 10 at index 2");

  /* The same labels are fine with 11 classes. */
  {
    g_autofree char *path = temp_path ("labels-11");
    g_autoptr(GError) error = NULL;
    g_autoptr(CvlIdxLabels) labels = NULL;

    write_file (path, bytes->data, bytes->len, gzip);
    labels = cvl_idx_load_labels (path, 11, &error);
    g_assert_no_error (error);
    g_assert_cmpint (labels->labels[2], ==, 10);
  }
}

/* Random damage to a valid file, raw or to its gzip stream: every outcome is
 * a clean load or CVL_ERROR_FORMAT, never a crash or an overread (run it
 * under ASan). */
static void
test_mutations (gconstpointer data)
{
  gboolean gzip = GPOINTER_TO_INT (data);
  guint32 dims[3] = { 3, 5, 4 };
  g_autoptr(GByteArray) valid = idx_bytes (0x08, 3, dims, 60);
  g_autoptr(GBytes) original = gzip ? gzip_bytes (valid->data, valid->len)
                                    : g_bytes_new (valid->data, valid->len);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *path = temp_path ("mutated");
  gsize size = g_bytes_get_size (original);
  int loaded = 0;

  for (int round = 0; round < 800; round++)
    {
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(CvlIdxImages) images = NULL;
      int n_flips = g_rand_int_range (rand, 0, 4);

      g_byte_array_append (bytes, g_bytes_get_data (original, NULL), size);
      for (int i = 0; i < n_flips; i++)
        bytes->data[g_rand_int_range (rand, 0, bytes->len)] = g_rand_int_range (rand, 0, 256);
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          g_byte_array_set_size (bytes, g_rand_int_range (rand, 0, bytes->len + 1));
          break;
        case 1:
          for (int i = g_rand_int_range (rand, 1, 8); i > 0; i--)
            {
              guint8 extra = g_rand_int_range (rand, 0, 256);

              g_byte_array_append (bytes, &extra, 1);
            }
          break;
        default:
          break;
        }

      write_file (path, bytes->data, bytes->len, FALSE);
      images = cvl_idx_load_images (path, &error);
      if (images != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpint (images->count, >=, 1);
          loaded++;
        }
      else
        {
          g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
        }
    }
  /* Flips in the pixels keep the file valid: some rounds must load. */
  g_assert_cmpint (loaded, >, 0);
}

static void
test_missing_file (void)
{
  g_autofree char *path = temp_path ("does-not-exist");
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlIdxImages) images = cvl_idx_load_images (path, &error);

  g_assert_null (images);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "does-not-exist"));
}

/* A failed save leaves an existing file alone. */
static void
test_save_unwritable (void)
{
  guint8 values[2] = { 1, 2 };
  CvlIdxLabels labels = { 2, values };
  g_autofree char *path = g_build_filename (tmp_dir, "no-such-dir", "labels", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (cvl_idx_save_labels (path, &labels, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
}

static void
add_both (const char    *name,
          GTestDataFunc  func)
{
  g_autofree char *raw = g_strdup_printf ("/core/idx/%s/raw", name);
  g_autofree char *gzip = g_strdup_printf ("/core/idx/%s/gzip", name);

  g_test_add_data_func (raw, GINT_TO_POINTER (FALSE), func);
  g_test_add_data_func (gzip, GINT_TO_POINTER (TRUE), func);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("cvl-idx-XXXXXX", &error);
  g_assert_no_error (error);

  add_both ("round-trip", test_round_trip);
  add_both ("truncated", test_truncated);
  add_both ("trailing-bytes", test_trailing_bytes);
  add_both ("wrong-magic", test_wrong_magic);
  add_both ("wrong-type", test_wrong_type);
  add_both ("wrong-ndims", test_wrong_ndims);
  add_both ("lying-header", test_lying_header);
  add_both ("label-out-of-range", test_label_out_of_range);
  add_both ("mutations", test_mutations);
  g_test_add_func ("/core/idx/truncated-gzip-stream", test_truncated_gzip_stream);
  g_test_add_func ("/core/idx/zero-size", test_zero_size);
  g_test_add_func ("/core/idx/too-large", test_too_large);
  g_test_add_func ("/core/idx/missing-file", test_missing_file);
  g_test_add_func ("/core/idx/save-unwritable", test_save_unwritable);

  status = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (tmp_dir);
    g_free (tmp_dir);
  }
  return status;
}
