/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IDX reading and writing. The header is read and checked first; the data
 * size it implies is checked for overflow, against the file's length (raw) or
 * a cap (gzip, whose decompressed length is unknown until the end) before
 * anything is allocated, and the data must then be exactly that long. */
#include "config.h"

#include <string.h>

#include "cvl-error.h"
#include "cvl-idx.h"

#define IDX_TYPE_UBYTE 0x08
#define IDX_MAX_DIMS   3

/* No MNIST-like file comes near this; a header claiming more is lying. */
#define IDX_MAX_DATA_SIZE (G_GUINT64_CONSTANT (1) << 30)

/* zlib's deflate compresses at most about 1032:1, so a gzip file of n bytes
 * cannot hold more than this: a cheap early "no" for lying headers. */
#define GZIP_MAX_RATIO 1100

typedef struct
{
  GInputStream *stream;    /* decompressing when the file is gzip */
  gboolean      gzip;
  guint64       file_size;
} IdxSource;

static void
idx_source_clear (IdxSource *source)
{
  g_clear_object (&source->stream);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IdxSource, idx_source_clear)

static void
set_io_error (GError    **error,
              const char *path,
              GError     *io_error)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "“%s” does not exist", path);
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "“%s” is a folder, not an IDX file", path);
  else
    g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not read “%s”: %s",
                 path, io_error->message);
}

/* Opens `path` and, when it starts with gzip's magic 1f 8b, wraps it in a
 * decompressor. */
static gboolean
idx_source_open (IdxSource   *source,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  guint8 magic[2];
  gsize n_read = 0;

  stream = g_file_read (file, NULL, &local_error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                           NULL, &local_error);
  if (info == NULL
      || !g_input_stream_read_all (G_INPUT_STREAM (stream), magic, sizeof magic, &n_read,
                                   NULL, &local_error)
      || !g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, NULL, &local_error))
    {
      set_io_error (error, path, local_error);
      return FALSE;
    }

  source->file_size = g_file_info_get_size (info);
  source->gzip = n_read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (source->gzip)
    {
      g_autoptr(GZlibDecompressor) decompressor =
        g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);

      source->stream = g_converter_input_stream_new (G_INPUT_STREAM (stream),
                                                     G_CONVERTER (decompressor));
    }
  else
    {
      source->stream = G_INPUT_STREAM (g_steal_pointer (&stream));
    }
  return TRUE;
}

/* A failed read: damaged gzip data is a format error, the rest I/O. */
static void
set_read_error (GError    **error,
                IdxSource  *source,
                const char *path,
                GError     *read_error)
{
  if (source->gzip
      && (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA)
          || g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)))
    g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                 "“%s” is not valid gzip data (%s): the file is damaged or truncated",
                 path, read_error->message);
  else
    set_io_error (error, path, read_error);
}

/* Reads exactly `size` bytes; FALSE with a message naming the file when the
 * data ends early or is not valid gzip. */
static gboolean
idx_source_read (IdxSource   *source,
                 const char  *path,
                 void        *buffer,
                 gsize        size,
                 const char  *what,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize n_read = 0;

  if (!g_input_stream_read_all (source->stream, buffer, size, &n_read, NULL, &local_error))
    {
      set_read_error (error, source, path, local_error);
      return FALSE;
    }
  if (n_read < size)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” is truncated: its %s ends after %" G_GSIZE_FORMAT
                   " of %" G_GSIZE_FORMAT " bytes",
                   path, what, n_read, size);
      return FALSE;
    }
  return TRUE;
}

/* After the data: nothing more may follow. */
static gboolean
idx_source_check_end (IdxSource   *source,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint8 extra[64];
  gsize n_read = 0;

  if (!g_input_stream_read_all (source->stream, extra, sizeof extra, &n_read,
                                NULL, &local_error))
    {
      set_read_error (error, source, path, local_error);
      return FALSE;
    }
  if (n_read > 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” has bytes after the data its header announces "
                   "(trailing garbage, or a header that lies about the sizes)",
                   path);
      return FALSE;
    }
  return TRUE;
}

/* Reads and checks the header, then returns the data size it implies after
 * checking it cannot overflow and fits the file. dims[] are ≥ 1. */
static gboolean
idx_read_header (IdxSource   *source,
                 const char  *path,
                 int          ndims,
                 const char  *kind,
                 guint32     *dims,
                 gsize       *data_size,
                 GError     **error)
{
  guint8 magic[4];
  guint8 sizes[4 * IDX_MAX_DIMS];
  guint64 total = 1;
  guint64 header_size = 4 + 4 * (guint64) ndims;

  g_assert (ndims >= 1 && ndims <= IDX_MAX_DIMS);

  if (!idx_source_read (source, path, magic, sizeof magic, "header", error))
    return FALSE;
  if (magic[0] != 0 || magic[1] != 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” is not an IDX file (it does not start with two zero bytes)", path);
      return FALSE;
    }
  if (magic[2] != IDX_TYPE_UBYTE)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” holds IDX data of type 0x%02x; only unsigned bytes (0x08) are read",
                   path, magic[2]);
      return FALSE;
    }
  if (magic[3] != ndims)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” has %d dimension%s; IDX %s have %d",
                   path, magic[3], magic[3] == 1 ? "" : "s", kind, ndims);
      return FALSE;
    }

  if (!idx_source_read (source, path, sizes, 4 * ndims, "header", error))
    return FALSE;
  for (int i = 0; i < ndims; i++)
    {
      dims[i] = ((guint32) sizes[4 * i] << 24) | ((guint32) sizes[4 * i + 1] << 16)
                | ((guint32) sizes[4 * i + 2] << 8) | sizes[4 * i + 3];
      if (dims[i] == 0)
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                       "“%s” has a dimension of size 0 in its header", path);
          return FALSE;
        }
      /* Each factor < 2^32 and the running total ≤ 2^30, so no overflow. */
      total *= dims[i];
      if (dims[i] > G_MAXINT || total > IDX_MAX_DATA_SIZE)
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                       "“%s” claims %u %s in its header, more data than an IDX file "
                       "read here may hold (1 GiB)",
                       path, dims[0], kind);
          return FALSE;
        }
    }

  if (!source->gzip && header_size + total != source->file_size)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” does not match its header: %u %s need %" G_GUINT64_FORMAT
                   " bytes, the file has %" G_GUINT64_FORMAT " (%s)",
                   path, dims[0], kind, header_size + total, source->file_size,
                   header_size + total > source->file_size ? "truncated" : "trailing bytes");
      return FALSE;
    }
  if (source->gzip && total / GZIP_MAX_RATIO > source->file_size)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” claims %u %s in its header, far more than its %" G_GUINT64_FORMAT
                   " compressed bytes can hold",
                   path, dims[0], kind, source->file_size);
      return FALSE;
    }

  *data_size = total;
  return TRUE;
}

/* The whole file: header, exactly data_size bytes of data, nothing after. */
static guint8 *
idx_load (const char  *path,
          int          ndims,
          const char  *kind,
          guint32     *dims,
          GError     **error)
{
  g_auto(IdxSource) source = { 0 };
  g_autofree guint8 *data = NULL;
  gsize data_size;

  if (!idx_source_open (&source, path, error)
      || !idx_read_header (&source, path, ndims, kind, dims, &data_size, error))
    return NULL;

  data = g_malloc (data_size);
  if (!idx_source_read (&source, path, data, data_size, "data", error)
      || !idx_source_check_end (&source, path, error))
    return NULL;

  return g_steal_pointer (&data);
}

CvlIdxImages *
cvl_idx_load_images (const char  *path,
                     GError     **error)
{
  g_autoptr(CvlIdxImages) images = NULL;
  guint32 dims[3];
  guint8 *pixels;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pixels = idx_load (path, 3, "images", dims, error);
  if (pixels == NULL)
    return NULL;

  images = g_new0 (CvlIdxImages, 1);
  images->count = dims[0];
  images->rows = dims[1];
  images->cols = dims[2];
  images->pixels = pixels;
  return g_steal_pointer (&images);
}

CvlIdxLabels *
cvl_idx_load_labels (const char  *path,
                     int          n_classes,
                     GError     **error)
{
  g_autoptr(CvlIdxLabels) labels = NULL;
  guint32 dims[1];
  guint8 *values;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (n_classes >= 1 && n_classes <= 256, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  values = idx_load (path, 1, "labels", dims, error);
  if (values == NULL)
    return NULL;

  labels = g_new0 (CvlIdxLabels, 1);
  labels->count = dims[0];
  labels->labels = values;

  for (int i = 0; i < labels->count; i++)
    if (labels->labels[i] >= n_classes)
      {
        g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                     "“%s” has label %u at index %d; labels must be below %d",
                     path, labels->labels[i], i, n_classes);
        return NULL;
      }

  return g_steal_pointer (&labels);
}

/* Header + data to a temporary file renamed over `path` once complete. */
static gboolean
idx_save (const char    *path,
          int            ndims,
          const guint32 *dims,
          const guint8  *data,
          gsize          data_size,
          GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  guint8 header[4 + 4 * IDX_MAX_DIMS] = { 0, 0, IDX_TYPE_UBYTE, (guint8) ndims };
  gsize header_size = 4 + 4 * ndims;

  for (int i = 0; i < ndims; i++)
    {
      header[4 + 4 * i] = dims[i] >> 24;
      header[5 + 4 * i] = dims[i] >> 16;
      header[6 + 4 * i] = dims[i] >> 8;
      header[7 + 4 * i] = dims[i];
    }

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                           NULL, &local_error);
  if (stream == NULL)
    goto failed;

  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), header, header_size,
                                  NULL, NULL, &local_error)
      || !g_output_stream_write_all (G_OUTPUT_STREAM (stream), data, data_size,
                                     NULL, NULL, &local_error))
    {
      /* Closing with a cancelled cancellable drops the temporary file. */
      g_autoptr(GCancellable) cancelled = g_cancellable_new ();

      g_cancellable_cancel (cancelled);
      g_output_stream_close (G_OUTPUT_STREAM (stream), cancelled, NULL);
      goto failed;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &local_error))
    goto failed;
  return TRUE;

failed:
  g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not save “%s”: %s",
               path, local_error->message);
  return FALSE;
}

gboolean
cvl_idx_save_images (const char          *path,
                     const CvlIdxImages  *images,
                     GError             **error)
{
  guint32 dims[3];

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (images != NULL && images->pixels != NULL, FALSE);
  g_return_val_if_fail (images->count > 0 && images->rows > 0 && images->cols > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((guint64) images->count * images->rows * images->cols > IDX_MAX_DATA_SIZE)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "Could not save “%s”: %d images of %d×%d are more than 1 GiB",
                   path, images->count, images->rows, images->cols);
      return FALSE;
    }

  dims[0] = images->count;
  dims[1] = images->rows;
  dims[2] = images->cols;
  return idx_save (path, 3, dims, images->pixels,
                   (gsize) images->count * images->rows * images->cols, error);
}

gboolean
cvl_idx_save_labels (const char          *path,
                     const CvlIdxLabels  *labels,
                     GError             **error)
{
  guint32 dims[1];

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (labels != NULL && labels->labels != NULL, FALSE);
  g_return_val_if_fail (labels->count > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dims[0] = labels->count;
  return idx_save (path, 1, dims, labels->labels, labels->count, error);
}

void
cvl_idx_images_free (CvlIdxImages *images)
{
  if (images == NULL)
    return;
  g_free (images->pixels);
  g_free (images);
}

void
cvl_idx_labels_free (CvlIdxLabels *labels)
{
  if (labels == NULL)
    return;
  g_free (labels->labels);
  g_free (labels);
}
