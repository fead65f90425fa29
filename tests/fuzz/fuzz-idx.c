/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IDX files as they come, raw or gzip (the loader sniffs the magic): the
 * input is read both as images and as labels. Whatever loads must be
 * exactly as large as its header says. */
#include "fuzz-common.h"

#include "cvl-idx.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = fuzz_write_file (data, size);
  g_autoptr(CvlIdxImages) images = NULL;
  g_autoptr(CvlIdxLabels) labels = NULL;
  g_autoptr(GError) error = NULL;

  images = cvl_idx_load_images (path, &error);
  g_assert ((images == NULL) == (error != NULL));
  if (images != NULL)
    {
      gsize n = (gsize) images->count * images->rows * images->cols;

      g_assert (images->count > 0 && images->rows > 0 && images->cols > 0);
      /* Touch the last pixel: ASan checks the buffer is as large as claimed. */
      g_assert (images->pixels[n - 1] == images->pixels[n - 1]);
    }
  fuzz_note ("images", error);
  g_clear_error (&error);

  labels = cvl_idx_load_labels (path, 10, &error);
  g_assert ((labels == NULL) == (error != NULL));
  fuzz_note ("labels", error);
  if (labels != NULL)
    {
      g_assert (labels->count > 0);
      for (int i = 0; i < labels->count; i++)
        g_assert (labels->labels[i] < 10);
    }
  return 0;
}
