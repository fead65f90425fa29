/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CLI's generator syntax ("gaussian:sigma=8", "motion:len=40,angle=30"):
 * whatever parses must be a kernel within limits with finite weights. */
#include "fuzz-common.h"

#include <math.h>

#include "cvl-kernel-gen.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *spec = NULL;
  g_autoptr(CvlKernel) kernel = NULL;
  g_autoptr(GError) error = NULL;

  /* No spec is longer; longer inputs only slow the search down. */
  if (size > 256)
    return 0;
  spec = fuzz_strndup (data, size);
  kernel = cvl_kernel_parse_generator (spec, &error);
  g_assert ((kernel == NULL) == (error != NULL));
  fuzz_note ("generator", error);
  if (kernel != NULL)
    {
      g_assert (kernel->width >= 1 && kernel->width <= CVL_KERNEL_MAX_SIZE);
      g_assert (kernel->height >= 1 && kernel->height <= CVL_KERNEL_MAX_SIZE);
      g_assert (isfinite (kernel->divisor) && kernel->divisor != 0);
      for (int i = 0; i < kernel->width * kernel->height; i++)
        g_assert (isfinite (kernel->values[i]));
    }
  return 0;
}
