/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Models as the Draw page and `convolve-cli classify` load them
 * (cvl_net_load_bytes): safetensors plus the lecture network's names and
 * shapes. A complete model is 13 MB, so the seeds are models with tensors
 * missing or misshapen, which end at the shape checks. */
#include "fuzz-common.h"

#include "cvl-net.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(CvlNet) net = NULL;
  g_autoptr(GError) error = NULL;

  net = cvl_net_load_bytes (bytes, &error);
  g_assert ((net == NULL) == (error != NULL));
  fuzz_note ("net", error);
  return 0;
}
