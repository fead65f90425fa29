/* SPDX-License-Identifier: GPL-3.0-or-later */
/* NumPy .npy writer (format 1.0): "\x93NUMPY", version 1.0, a little-endian
 * u16 header length, a Python dict literal padded with spaces and a final
 * '\n' so the data starts at a multiple of 64 bytes, then '<f4' data in C order. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-npy.h"

#define NPY_ALIGNMENT 64

static GBytes *
npy_header (const CvlImage *image)
{
  static const char magic[] = "\x93NUMPY\x01\x00";
  const gsize prefix = sizeof magic - 1 + 2; /* magic, version, header length */
  g_autofree char *dict = NULL;
  GString *header;
  gsize total;

  if (image->channels == 1)
    dict = g_strdup_printf ("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
                            image->height, image->width);
  else
    dict = g_strdup_printf ("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d), }",
                            image->height, image->width, image->channels);

  total = prefix + strlen (dict) + 1;
  total = (total + NPY_ALIGNMENT - 1) / NPY_ALIGNMENT * NPY_ALIGNMENT;

  header = g_string_new_len (magic, sizeof magic - 1);
  g_string_append_c (header, (char) ((total - prefix) & 0xff));
  g_string_append_c (header, (char) ((total - prefix) >> 8));
  g_string_append (header, dict);
  while (header->len < total - 1)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');

  return g_string_free_to_bytes (header);
}

gboolean
cvl_npy_save (const CvlImage  *image,
              const char      *path,
              GError         **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GBytes) header = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint32 *row = NULL;
  gsize plane, row_len;

  g_return_val_if_fail (image != NULL && image->data != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* g_file_replace() writes a temporary file and renames it over `path` when
   * the stream is closed; closing with a cancelled cancellable drops it. */
  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                           NULL, &local_error);
  if (stream == NULL)
    goto failed;

  header = npy_header (image);
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream),
                                  g_bytes_get_data (header, NULL), g_bytes_get_size (header),
                                  NULL, NULL, &local_error))
    goto abandon;

  /* [C, H, W] planes → [H, W, C] rows, each float as little-endian bits */
  plane = (gsize) image->width * image->height;
  row_len = (gsize) image->width * image->channels;
  row = g_new (guint32, row_len);
  for (int y = 0; y < image->height; y++)
    {
      for (int x = 0; x < image->width; x++)
        for (int c = 0; c < image->channels; c++)
          {
            guint32 bits;

            memcpy (&bits, &image->data[c * plane + (gsize) y * image->width + x], 4);
            row[(gsize) x * image->channels + c] = GUINT32_TO_LE (bits);
          }

      if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), row, row_len * 4,
                                      NULL, NULL, &local_error))
        goto abandon;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &local_error))
    goto failed;

  return TRUE;

abandon:
  {
    g_autoptr(GCancellable) cancelled = g_cancellable_new ();

    g_cancellable_cancel (cancelled);
    g_output_stream_close (G_OUTPUT_STREAM (stream), cancelled, NULL);
  }

failed:
  g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not save “%s”: %s",
               path, local_error->message);
  return FALSE;
}
