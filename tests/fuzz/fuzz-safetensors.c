/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The safetensors reader on its own: header length, the JSON header,
 * dtypes, shapes and offsets. The seeds name tensors "a" [2] and "b" [2,3],
 * which are read back whenever the header parses. */
#include "fuzz-common.h"

#include "cvl-safetensors.h"

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
  g_autoptr(CvlSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  static const gint64 shape_a[] = { 2 }, shape_b[] = { 2, 3 };
  float a[2], b[6];
  GHashTableIter iter;
  gpointer key, value;

  st = cvl_safetensors_parse (bytes, &error);
  g_assert ((st == NULL) == (error != NULL));
  fuzz_note ("safetensors", error);
  if (st == NULL)
    return 0;

  g_hash_table_iter_init (&iter, cvl_safetensors_get_metadata (st));
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert (key != NULL && value != NULL && g_utf8_validate (value, -1, NULL));

  if (cvl_safetensors_has (st, "a") && !cvl_safetensors_read (st, "a", 1, shape_a, a, &error))
    g_clear_error (&error);
  if (cvl_safetensors_has (st, "b") && !cvl_safetensors_read (st, "b", 2, shape_b, b, &error))
    g_clear_error (&error);
  g_assert (!cvl_safetensors_read (st, "no such tensor", 1, shape_a, a, &error));
  return 0;
}
