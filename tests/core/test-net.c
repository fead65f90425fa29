/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Model files: safetensors round trips with PyTorch's names and shapes, and
 * every kind of broken file refused with a clear message before anything
 * is allocated from its numbers. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cvl-error.h"
#include "cvl-net-train.h"
#include "cvl-safetensors.h"

/* The file a header and `data_size` zero bytes make. */
static GBytes *
file_with_header (const char *header,
                  gsize       data_size)
{
  gsize len = strlen (header);
  guint8 *buf = g_malloc0 (8 + len + data_size);

  for (int i = 0; i < 8; i++)
    buf[i] = ((guint64) len >> (8 * i)) & 0xff;
  memcpy (buf + 8, header, len);
  return g_bytes_new_take (buf, 8 + len + data_size);
}

static void
assert_refused (GBytes     *bytes,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlNet) net = cvl_net_load_bytes (bytes, &error);

  g_assert_null (net);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

static void
test_round_trip (void)
{
  g_autoptr(CvlNet) net = cvl_net_new (12);
  g_autoptr(CvlNet) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *dir = g_dir_make_tmp ("cvl-net-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *contents = NULL;
  gsize length, bytes = cvl_net_n_params () * sizeof (float);
  guint64 header_len = 0;
  GHashTable *read_meta;

  g_hash_table_insert (meta, "dataset", "mnist");
  g_hash_table_insert (meta, "note", "quotes \" and \\ and\nnewline, ünïcode");
  g_assert_true (cvl_net_save (net, path, meta, &error));
  g_assert_no_error (error);

  back = cvl_net_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (cvl_net_peek_params (back), bytes, cvl_net_peek_params (net), bytes);
  read_meta = cvl_net_get_metadata (back);
  g_assert_cmpstr (g_hash_table_lookup (read_meta, "dataset"), ==, "mnist");
  g_assert_cmpstr (g_hash_table_lookup (read_meta, "note"), ==,
                   "quotes \" and \\ and\nnewline, ünïcode");
  g_assert_cmpstr (g_hash_table_lookup (read_meta, "format"), ==, "pt");

  /* The layout PyTorch expects: names, shapes, F32, data 8-byte aligned,
   * 3,274,634 floats in all. */
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  for (int i = 7; i >= 0; i--)
    header_len = (header_len << 8) | (guint8) contents[i];
  g_assert_cmpuint (header_len % 8, ==, 0);
  g_assert_cmpuint (length, ==, 8 + header_len + 3274634 * 4);
  g_assert_nonnull (g_strstr_len (contents + 8, header_len,
                                  "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[32,1,5,5]"));
  g_assert_nonnull (g_strstr_len (contents + 8, header_len,
                                  "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[1024,3136]"));
  g_assert_nonnull (g_strstr_len (contents + 8, header_len,
                                  "\"logits.bias\":{\"dtype\":\"F32\",\"shape\":[10]"));

  /* The same predictions from the loaded model. */
  {
    float image[784], a[10], b[10];

    for (int i = 0; i < 784; i++)
      image[i] = (i % 29) / 28.f;
    cvl_net_predict (net, image, 1, a);
    cvl_net_predict (back, image, 1, b);
    g_assert_cmpmem (a, sizeof a, b, sizeof b);
  }

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_refuses_broken (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) huge = NULL;
  g_autoptr(GBytes) garbage = file_with_header ("{\"conv1.weight\": [", 0);
  g_autoptr(GBytes) trailing = file_with_header ("{} x", 0);
  g_autoptr(GBytes) not_object = file_with_header ("[1,2]", 0);
  g_autoptr(GBytes) floats = file_with_header (
    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4);
  g_autoptr(GBytes) dtype = file_with_header (
    "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
  g_autoptr(GBytes) outside = file_with_header (
    "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
  g_autoptr(GBytes) mismatch = file_with_header (
    "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
  g_autoptr(GBytes) overlap = file_with_header (
    "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
    "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
  g_autoptr(GBytes) duplicate = file_with_header (
    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
    "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
  g_autoptr(GBytes) overflow = file_with_header (
    "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4);
  g_autoptr(GBytes) meta = file_with_header ("{\"__metadata__\":{\"a\":1}}", 0);
  guint8 lying[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}' };

  huge = g_bytes_new (lying, sizeof lying);
  assert_refused (empty, "Not a safetensors file");
  assert_refused (huge, "header length");
  assert_refused (garbage, "Broken safetensors header");
  assert_refused (trailing, "trailing");
  assert_refused (not_object, "expected ‘{’");
  assert_refused (floats, "integer");
  assert_refused (dtype, "only F32");
  assert_refused (outside, "truncated");
  assert_refused (mismatch, "do not match its shape");
  assert_refused (overlap, "overlap");
  assert_refused (duplicate, "duplicate key");
  assert_refused (overflow, "too large shape");
  assert_refused (meta, "not a string");
}

/* The network's tensors as safetensors entries, to write files by hand. */
static void
net_entries (CvlNet              *net,
             CvlSafetensorsEntry  entries[CVL_NET_N_TENSORS])
{
  const float *params = cvl_net_peek_params (net);

  for (guint i = 0; i < CVL_NET_N_TENSORS; i++)
    {
      const CvlNetTensorInfo *info = cvl_net_tensor_info (i);

      entries[i].name = info->name;
      entries[i].n_dims = info->n_dims;
      memcpy (entries[i].shape, info->shape, sizeof info->shape);
      entries[i].data = params + info->offset;
    }
}

/* A real model file with one thing wrong in it. */
static void
test_refuses_wrong_model (void)
{
  g_autoptr(CvlNet) net = cvl_net_new (1);
  CvlSafetensorsEntry entries[CVL_NET_N_TENSORS];
  g_autoptr(GBytes) missing = NULL;
  g_autoptr(GBytes) wrong_shape = NULL;
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlNet) loaded = NULL;

  net_entries (net, entries);

  good = cvl_safetensors_serialize (entries, CVL_NET_N_TENSORS, NULL);
  loaded = cvl_net_load_bytes (good, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);

  /* Truncated by one float: the last tensor's range leaves the file. */
  truncated = g_bytes_new_from_bytes (good, 0, g_bytes_get_size (good) - 4);
  assert_refused (truncated, "truncated");

  missing = cvl_safetensors_serialize (entries, CVL_NET_N_TENSORS - 1, NULL);
  assert_refused (missing, "has no tensor “logits.bias”");

  /* conv1.weight as [32,1,25]: same bytes, wrong shape. */
  entries[0].n_dims = 3;
  entries[0].shape[2] = 25;
  entries[0].shape[3] = 0;
  wrong_shape = cvl_safetensors_serialize (entries, CVL_NET_N_TENSORS, NULL);
  assert_refused (wrong_shape, "has shape [32,1,25]; expected [32,1,5,5]");
}

/* The input convention in a model's metadata: a model from before it sees
 * pixels as they are (mean 0, std 1); a well-formed pair is used; anything
 * else is refused, not guessed. */
static void
test_input_convention (void)
{
  static const char * const bad[][2] = {
    { "abc", "1" }, { "0.13", "" }, { "nan", "1" }, { "0.1", "inf" }, { "0.1", "0" },
    { "0.1", "-0.3" }, { "0.1x", "0.3" }, { "1e999", "0.3" },
  };
  g_autoptr(CvlNet) net = cvl_net_new (1);
  CvlSafetensorsEntry entries[CVL_NET_N_TENSORS];
  float mean, std;

  net_entries (net, entries);

  {
    g_autoptr(GBytes) old = cvl_safetensors_serialize (entries, CVL_NET_N_TENSORS, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(CvlNet) loaded = cvl_net_load_bytes (old, &error);

    g_assert_no_error (error);
    cvl_net_get_input_normalization (loaded, &mean, &std);
    g_assert_cmpfloat (mean, ==, 0.f);
    g_assert_cmpfloat (std, ==, 1.f);
  }
  {
    g_autoptr(GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(CvlNet) loaded = NULL;

    g_hash_table_insert (meta, "input_mean", "0.25");
    g_hash_table_insert (meta, "input_std", "0.5");
    bytes = cvl_safetensors_serialize (entries, CVL_NET_N_TENSORS, meta);
    loaded = cvl_net_load_bytes (bytes, &error);
    g_assert_no_error (error);
    cvl_net_get_input_normalization (loaded, &mean, &std);
    g_assert_cmpfloat (mean, ==, 0.25f);
    g_assert_cmpfloat (std, ==, 0.5f);
  }
  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr(GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GBytes) bytes = NULL;

      g_hash_table_insert (meta, "input_mean", (gpointer) bad[k][0]);
      g_hash_table_insert (meta, "input_std", (gpointer) bad[k][1]);
      bytes = cvl_safetensors_serialize (entries, CVL_NET_N_TENSORS, meta);
      assert_refused (bytes, "input_mean or input_std");
    }
}

static void
test_save_is_atomic (void)
{
  g_autoptr(CvlNet) net = cvl_net_new (1);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cvl-net-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "missing", "model.safetensors", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "not-a-model", NULL);
  g_autoptr(CvlNet) loaded = NULL;

  /* Unwritable: an error, nothing left behind. */
  g_assert_false (cvl_net_save (net, path, NULL, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_IO);
  g_clear_error (&error);

  /* Not a file we can read. */
  loaded = cvl_net_load (bad_path, &error);
  g_assert_null (loaded);
  g_assert_error (error, CVL_ERROR, CVL_ERROR_IO);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cvl_nn_set_threads (2);

  g_test_add_func ("/core/net/round-trip", test_round_trip);
  g_test_add_func ("/core/net/refuses-broken", test_refuses_broken);
  g_test_add_func ("/core/net/refuses-wrong-model", test_refuses_wrong_model);
  g_test_add_func ("/core/net/input-convention", test_input_convention);
  g_test_add_func ("/core/net/save-is-atomic", test_save_is_atomic);

  return g_test_run ();
}
