/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kernel text format (rows, cells, fractions): whatever parses must
 * have a size within limits and finite values, and must print as text that
 * parses back to the same kernel. */
#include "fuzz-common.h"

#include <math.h>

#include "cvl-kernel.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_strndup (data, size);
  g_autoptr(CvlKernel) kernel = NULL;
  g_autoptr(GError) error = NULL;
  float cell;

  if (cvl_kernel_parse_cell (text, &cell, &error))
    {
      g_autofree char *printed = cvl_kernel_format_cell (cell);
      float again;

      g_assert (isfinite (cell));
      g_assert (cvl_kernel_parse_cell (printed, &again, NULL));
      g_assert (memcmp (&again, &cell, sizeof cell) == 0 || (again == 0 && cell == 0));
    }
  g_clear_error (&error);

  kernel = cvl_kernel_parse (text, &error);
  g_assert ((kernel == NULL) == (error != NULL));
  fuzz_note ("kernel", error);
  if (kernel != NULL)
    {
      g_autofree char *printed = cvl_kernel_to_text (kernel);
      g_autoptr(CvlKernel) again = NULL;

      g_assert (kernel->width >= 1 && kernel->width <= CVL_KERNEL_MAX_SIZE);
      g_assert (kernel->height >= 1 && kernel->height <= CVL_KERNEL_MAX_SIZE);
      for (int i = 0; i < kernel->width * kernel->height; i++)
        g_assert (isfinite (kernel->values[i]));
      again = cvl_kernel_parse (printed, &error);
      g_assert_no_error (error);
      g_assert (cvl_kernel_equal (kernel, again));
    }
  return 0;
}
