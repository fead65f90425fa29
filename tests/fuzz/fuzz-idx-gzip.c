/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The gzip path of the IDX reader with valid compression around hostile
 * content: the input is gzip-compressed here, so the fuzzer explores the
 * headers and lengths behind the decompressor rather than deflate itself
 * (fuzz-idx feeds it damaged gzip). */
#include "fuzz-common.h"

#include <zlib.h>

#include "cvl-idx.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static GBytes *
gzip (const uint8_t *data, size_t size)
{
  z_stream z = { 0 };
  gsize capacity = compressBound (size) + 64;
  guint8 *out = g_malloc (capacity);
  int status;

  g_assert (deflateInit2 (&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  z.next_in = (Bytef *) data;
  z.avail_in = size;
  z.next_out = out;
  z.avail_out = capacity;
  status = deflate (&z, Z_FINISH);
  g_assert (status == Z_STREAM_END);
  deflateEnd (&z);
  return g_bytes_new_take (out, z.total_out);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) compressed = gzip (data, size);
  gsize n;
  const guint8 *gz = g_bytes_get_data (compressed, &n);
  const char *path = fuzz_write_file (gz, n);
  g_autoptr(CvlIdxImages) images = NULL;
  g_autoptr(CvlIdxLabels) labels = NULL;
  g_autoptr(GError) error = NULL;

  images = cvl_idx_load_images (path, &error);
  g_assert ((images == NULL) == (error != NULL));
  if (images != NULL)
    g_assert ((gsize) images->count * images->rows * images->cols + 16 == size);
  fuzz_note ("images", error);
  g_clear_error (&error);

  labels = cvl_idx_load_labels (path, 10, &error);
  g_assert ((labels == NULL) == (error != NULL));
  fuzz_note ("labels", error);
  if (labels != NULL)
    g_assert ((gsize) labels->count + 8 == size);
  return 0;
}
