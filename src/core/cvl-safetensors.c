/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Safetensors reading and writing, with a small strict JSON reader of its
 * own for the header (objects, strings, non-negative integers and arrays of
 * them: all a safetensors header holds). */
#include "config.h"

#include <string.h>

#include "cvl-error.h"
#include "cvl-safetensors.h"

#define MAX_DEPTH 4

/* -- Writing ---------------------------------------------------------------- */

static void
append_json_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const CvlSafetensorsEntry *const *ea = a, *const *eb = b;

  return strcmp ((*ea)->name, (*eb)->name);
}

static gsize
entry_bytes (const CvlSafetensorsEntry *e)
{
  gsize n = sizeof (float);

  for (int d = 0; d < e->n_dims; d++)
    n *= (gsize) e->shape[d];
  return n;
}

GBytes *
cvl_safetensors_serialize (const CvlSafetensorsEntry *entries,
                           guint                      n_entries,
                           GHashTable                *metadata)
{
  g_autoptr(GString) header = g_string_new ("{");
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GByteArray) file = NULL;
  gsize offset = 0;
  guint64 header_len;
  guint8 len_le[8];

  if (metadata != NULL && g_hash_table_size (metadata) > 0)
    {
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (metadata),
                                           (GCompareFunc) strcmp);

      g_string_append (header, "\"__metadata__\":{");
      for (GList *l = keys; l != NULL; l = l->next)
        {
          if (l != keys)
            g_string_append_c (header, ',');
          append_json_string (header, l->data);
          g_string_append_c (header, ':');
          append_json_string (header, g_hash_table_lookup (metadata, l->data));
        }
      g_string_append (header, "}");
    }

  for (guint i = 0; i < n_entries; i++)
    g_ptr_array_add (sorted, (gpointer) &entries[i]);
  g_ptr_array_sort (sorted, compare_entries);

  for (guint i = 0; i < sorted->len; i++)
    {
      const CvlSafetensorsEntry *e = sorted->pdata[i];
      gsize bytes = entry_bytes (e);

      if (header->len > 1)
        g_string_append_c (header, ',');
      append_json_string (header, e->name);
      g_string_append (header, ":{\"dtype\":\"F32\",\"shape\":[");
      for (int d = 0; d < e->n_dims; d++)
        g_string_append_printf (header, "%s%" G_GINT64_FORMAT, d ? "," : "", e->shape[d]);
      g_string_append_printf (header, "],\"data_offsets\":[%" G_GSIZE_FORMAT ",%"
                              G_GSIZE_FORMAT "]}", offset, offset + bytes);
      offset += bytes;
    }
  g_string_append_c (header, '}');
  /* Pad with spaces so the data starts 8-byte aligned, as the package does. */
  while (header->len % 8 != 0)
    g_string_append_c (header, ' ');

  header_len = header->len;
  for (int i = 0; i < 8; i++)
    len_le[i] = (header_len >> (8 * i)) & 0xff;

  file = g_byte_array_sized_new (8 + header->len + offset);
  g_byte_array_append (file, len_le, 8);
  g_byte_array_append (file, (const guint8 *) header->str, header->len);
  for (guint i = 0; i < sorted->len; i++)
    {
      const CvlSafetensorsEntry *e = sorted->pdata[i];
      gsize bytes = entry_bytes (e);

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      g_byte_array_append (file, (const guint8 *) e->data, bytes);
#else
      for (gsize j = 0; j < bytes / 4; j++)
        {
          guint32 w;

          memcpy (&w, e->data + j, 4);
          w = GUINT32_TO_LE (w);
          g_byte_array_append (file, (const guint8 *) &w, 4);
        }
#endif
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&file));
}

gboolean
cvl_safetensors_save (const char                *path,
                      const CvlSafetensorsEntry *entries,
                      guint                      n_entries,
                      GHashTable                *metadata,
                      GError                   **error)
{
  g_autoptr(GBytes) bytes = cvl_safetensors_serialize (entries, n_entries, metadata);
  g_autoptr(GError) local = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  /* g_file_set_contents writes a temporary file and renames it over. */
  if (!g_file_set_contents_full (path, data, size, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &local))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not write “%s”: %s",
                   path, local->message);
      return FALSE;
    }
  return TRUE;
}

/* -- A strict little JSON reader -------------------------------------------- */

typedef enum { JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_INT } JsonKind;

typedef struct _Json Json;
struct _Json
{
  JsonKind   kind;
  char      *string;    /* JSON_STRING */
  guint64    integer;   /* JSON_INT */
  GPtrArray *keys;      /* JSON_OBJECT: char* */
  GPtrArray *values;    /* JSON_OBJECT, JSON_ARRAY: Json* */
};

static void
json_free (Json *j)
{
  if (j == NULL)
    return;
  g_free (j->string);
  g_clear_pointer (&j->keys, g_ptr_array_unref);
  g_clear_pointer (&j->values, g_ptr_array_unref);
  g_free (j);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Json, json_free)

typedef struct
{
  const char *p, *end, *start;
} Reader;

static gboolean
fail (Reader     *r,
      GError    **error,
      const char *what)
{
  g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
               "Broken safetensors header: %s at byte %" G_GSIZE_FORMAT,
               what, (gsize) (r->p - r->start));
  return FALSE;
}

static void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Reader   *r,
           gunichar *out)
{
  gunichar v = 0;

  if (r->end - r->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int d = hex_digit (r->p[i]);

      if (d < 0)
        return FALSE;
      v = v * 16 + d;
    }
  r->p += 4;
  *out = v;
  return TRUE;
}

static char *
read_string (Reader  *r,
             GError **error)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (r->p >= r->end || *r->p != '"')
    return fail (r, error, "expected a string"), NULL;
  r->p++;
  while (r->p < r->end && *r->p != '"')
    {
      guchar c = *r->p;

      if (c < 0x20)
        return fail (r, error, "control character in a string"), NULL;
      if (c != '\\')
        {
          g_string_append_c (s, c);
          r->p++;
          continue;
        }
      if (++r->p >= r->end)
        break;
      switch (*r->p++)
        {
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/': g_string_append_c (s, '/'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          {
            gunichar u, low;

            if (!read_hex4 (r, &u))
              return fail (r, error, "bad \\u escape"), NULL;
            if (u >= 0xd800 && u < 0xdc00)
              {
                if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                  return fail (r, error, "lone surrogate"), NULL;
                r->p += 2;
                if (!read_hex4 (r, &low) || low < 0xdc00 || low >= 0xe000)
                  return fail (r, error, "bad surrogate pair"), NULL;
                u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (u >= 0xdc00 && u < 0xe000)
              return fail (r, error, "lone surrogate"), NULL;
            if (u == 0)
              return fail (r, error, "NUL in a string"), NULL;
            g_string_append_unichar (s, u);
            break;
          }
        default:
          return fail (r, error, "bad escape"), NULL;
        }
    }
  if (r->p >= r->end)
    return fail (r, error, "unterminated string"), NULL;
  r->p++;
  if (!g_utf8_validate (s->str, s->len, NULL))
    return fail (r, error, "invalid UTF-8"), NULL;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static Json *read_value (Reader *r, int depth, GError **error);

static Json *
read_container (Reader  *r,
                int      depth,
                gboolean object,
                GError **error)
{
  g_autoptr(Json) j = g_new0 (Json, 1);
  char close = object ? '}' : ']';

  j->kind = object ? JSON_OBJECT : JSON_ARRAY;
  j->values = g_ptr_array_new_with_free_func ((GDestroyNotify) json_free);
  if (object)
    j->keys = g_ptr_array_new_with_free_func (g_free);
  r->p++;
  skip_space (r);
  if (r->p < r->end && *r->p == close)
    {
      r->p++;
      return g_steal_pointer (&j);
    }
  for (;;)
    {
      Json *value;

      skip_space (r);
      if (object)
        {
          char *key = read_string (r, error);

          if (key == NULL)
            return NULL;
          for (guint i = 0; i < j->keys->len; i++)
            if (g_str_equal (j->keys->pdata[i], key))
              {
                g_free (key);
                return fail (r, error, "duplicate key"), NULL;
              }
          g_ptr_array_add (j->keys, key);
          skip_space (r);
          if (r->p >= r->end || *r->p != ':')
            return fail (r, error, "expected ‘:’"), NULL;
          r->p++;
          skip_space (r);
        }
      value = read_value (r, depth + 1, error);
      if (value == NULL)
        return NULL;
      g_ptr_array_add (j->values, value);
      skip_space (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == close)
        {
          r->p++;
          return g_steal_pointer (&j);
        }
      return fail (r, error, object ? "expected ‘,’ or ‘}’" : "expected ‘,’ or ‘]’"), NULL;
    }
}

static Json *
read_value (Reader  *r,
            int      depth,
            GError **error)
{
  Json *j;

  if (depth > MAX_DEPTH)
    return fail (r, error, "nested too deeply"), NULL;
  if (r->p >= r->end)
    return fail (r, error, "unexpected end"), NULL;

  switch (*r->p)
    {
    case '{':
      return read_container (r, depth, TRUE, error);
    case '[':
      return read_container (r, depth, FALSE, error);
    case '"':
      {
        char *s = read_string (r, error);

        if (s == NULL)
          return NULL;
        j = g_new0 (Json, 1);
        j->kind = JSON_STRING;
        j->string = s;
        return j;
      }
    default:
      if (*r->p >= '0' && *r->p <= '9')
        {
          guint64 v = 0;

          if (*r->p == '0' && r->p + 1 < r->end && g_ascii_isdigit (r->p[1]))
            return fail (r, error, "leading zero"), NULL;
          while (r->p < r->end && g_ascii_isdigit (*r->p))
            {
              if (v > (G_MAXINT64 - 9) / 10)
                return fail (r, error, "integer too large"), NULL;
              v = v * 10 + (*r->p++ - '0');
            }
          if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
            return fail (r, error, "expected an integer"), NULL;
          j = g_new0 (Json, 1);
          j->kind = JSON_INT;
          j->integer = v;
          return j;
        }
      return fail (r, error, "unexpected character"), NULL;
    }
}

static Json *
json_member (Json       *object,
             const char *key)
{
  for (guint i = 0; i < object->keys->len; i++)
    if (g_str_equal (object->keys->pdata[i], key))
      return object->values->pdata[i];
  return NULL;
}

/* -- Reading ---------------------------------------------------------------- */

typedef struct
{
  char   *name;
  int     n_dims;
  gint64  shape[CVL_SAFETENSORS_MAX_DIMS];
  gsize   begin, end;   /* within the data section */
} Tensor;

struct _CvlSafetensors
{
  GBytes     *bytes;
  const guint8 *data;   /* start of the data section */
  GHashTable *tensors;  /* name → Tensor* */
  GHashTable *metadata;
};

static void
tensor_free (Tensor *t)
{
  g_free (t->name);
  g_free (t);
}

void
cvl_safetensors_free (CvlSafetensors *st)
{
  if (st == NULL)
    return;
  g_clear_pointer (&st->bytes, g_bytes_unref);
  g_clear_pointer (&st->tensors, g_hash_table_unref);
  g_clear_pointer (&st->metadata, g_hash_table_unref);
  g_free (st);
}

static int
compare_begin (gconstpointer a,
               gconstpointer b)
{
  const Tensor *ta = *(Tensor *const *) a, *tb = *(Tensor *const *) b;

  return ta->begin < tb->begin ? -1 : ta->begin > tb->begin;
}

static gboolean
bad (GError    **error,
     const char *name,
     const char *what)
{
  g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
               "Broken safetensors header: tensor “%s” %s", name, what);
  return FALSE;
}

static gboolean
parse_tensor (const char *name,
              Json       *info,
              gsize       data_size,
              Tensor     *t,
              GError    **error)
{
  Json *dtype, *shape, *offsets;
  gsize bytes = sizeof (float);

  if (info->kind != JSON_OBJECT)
    return bad (error, name, "is not an object");
  for (guint i = 0; i < info->keys->len; i++)
    {
      const char *key = info->keys->pdata[i];

      if (!g_str_equal (key, "dtype") && !g_str_equal (key, "shape") &&
          !g_str_equal (key, "data_offsets"))
        return bad (error, name, "has an unknown field");
    }
  dtype = json_member (info, "dtype");
  shape = json_member (info, "shape");
  offsets = json_member (info, "data_offsets");
  if (dtype == NULL || shape == NULL || offsets == NULL)
    return bad (error, name, "lacks dtype, shape or data_offsets");
  if (dtype->kind != JSON_STRING)
    return bad (error, name, "has a dtype that is not a string");
  if (!g_str_equal (dtype->string, "F32"))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "Tensor “%s” is %s; only F32 is supported", name, dtype->string);
      return FALSE;
    }
  if (shape->kind != JSON_ARRAY || shape->values->len > CVL_SAFETENSORS_MAX_DIMS)
    return bad (error, name, "has a bad shape");
  t->n_dims = shape->values->len;
  for (int d = 0; d < t->n_dims; d++)
    {
      Json *dim = shape->values->pdata[d];

      if (dim->kind != JSON_INT || !g_size_checked_mul (&bytes, bytes, dim->integer))
        return bad (error, name, "has a bad or too large shape");
      t->shape[d] = (gint64) dim->integer;
    }
  if (offsets->kind != JSON_ARRAY || offsets->values->len != 2 ||
      ((Json *) offsets->values->pdata[0])->kind != JSON_INT ||
      ((Json *) offsets->values->pdata[1])->kind != JSON_INT)
    return bad (error, name, "has bad data_offsets");
  t->begin = ((Json *) offsets->values->pdata[0])->integer;
  t->end = ((Json *) offsets->values->pdata[1])->integer;
  if (t->begin > t->end || t->end > data_size)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "Tensor “%s” lies outside the file (bytes %" G_GSIZE_FORMAT "–%"
                   G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT "): truncated?",
                   name, t->begin, t->end, data_size);
      return FALSE;
    }
  if (t->end - t->begin != bytes)
    return bad (error, name, "has data_offsets that do not match its shape");
  t->name = g_strdup (name);
  return TRUE;
}

CvlSafetensors *
cvl_safetensors_parse (GBytes  *bytes,
                       GError **error)
{
  g_autoptr(CvlSafetensors) st = NULL;
  g_autoptr(Json) root = NULL;
  g_autoptr(GPtrArray) by_offset = NULL;
  gsize size, data_size;
  const guint8 *file = g_bytes_get_data (bytes, &size);
  guint64 header_len = 0;
  Reader r;

  g_return_val_if_fail (bytes != NULL, NULL);

  if (size < 8)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "Not a safetensors file: %" G_GSIZE_FORMAT " bytes long", size);
      return NULL;
    }
  for (int i = 7; i >= 0; i--)
    header_len = (header_len << 8) | file[i];
  if (header_len < 2 || header_len > CVL_SAFETENSORS_MAX_HEADER || header_len > size - 8)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "Not a safetensors file: header length %" G_GUINT64_FORMAT
                   " does not fit a file of %" G_GSIZE_FORMAT " bytes", header_len, size);
      return NULL;
    }
  data_size = size - 8 - header_len;

  r.start = r.p = (const char *) file + 8;
  r.end = r.p + header_len;
  skip_space (&r);
  if (r.p >= r.end || *r.p != '{')
    {
      fail (&r, error, "expected ‘{’");
      return NULL;
    }
  root = read_value (&r, 0, error);
  if (root == NULL)
    return NULL;
  skip_space (&r);
  if (r.p != r.end)
    {
      fail (&r, error, "trailing bytes after the header");
      return NULL;
    }

  st = g_new0 (CvlSafetensors, 1);
  st->bytes = g_bytes_ref (bytes);
  st->data = file + 8 + header_len;
  st->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) tensor_free);
  st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  by_offset = g_ptr_array_new ();

  for (guint i = 0; i < root->keys->len; i++)
    {
      const char *key = root->keys->pdata[i];
      Json *value = root->values->pdata[i];
      Tensor *t;

      if (g_str_equal (key, "__metadata__"))
        {
          if (value->kind != JSON_OBJECT)
            {
              fail (&r, error, "__metadata__ is not an object");
              return NULL;
            }
          for (guint m = 0; m < value->keys->len; m++)
            {
              Json *v = value->values->pdata[m];

              if (v->kind != JSON_STRING)
                {
                  fail (&r, error, "__metadata__ holds a value that is not a string");
                  return NULL;
                }
              g_hash_table_insert (st->metadata, g_strdup (value->keys->pdata[m]),
                                   g_strdup (v->string));
            }
          continue;
        }

      t = g_new0 (Tensor, 1);
      if (!parse_tensor (key, value, data_size, t, error))
        {
          tensor_free (t);
          return NULL;
        }
      g_hash_table_insert (st->tensors, t->name, t);
      g_ptr_array_add (by_offset, t);
    }

  g_ptr_array_sort (by_offset, compare_begin);
  for (guint i = 1; i < by_offset->len; i++)
    {
      Tensor *prev = by_offset->pdata[i - 1], *t = by_offset->pdata[i];

      if (t->begin < prev->end)
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                       "Broken safetensors header: tensors “%s” and “%s” overlap",
                       prev->name, t->name);
          return NULL;
        }
    }

  return g_steal_pointer (&st);
}

static char *
shape_string (int           n_dims,
              const gint64 *shape)
{
  GString *s = g_string_new ("[");

  for (int d = 0; d < n_dims; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? "," : "", shape[d]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

gboolean
cvl_safetensors_read (CvlSafetensors *st,
                      const char     *name,
                      int             n_dims,
                      const gint64   *shape,
                      float          *dest,
                      GError        **error)
{
  Tensor *t;
  gboolean same;

  g_return_val_if_fail (st != NULL && name != NULL, FALSE);

  t = g_hash_table_lookup (st->tensors, name);
  if (t == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT, "The model has no tensor “%s”", name);
      return FALSE;
    }
  same = t->n_dims == n_dims;
  for (int d = 0; same && d < n_dims; d++)
    same = t->shape[d] == shape[d];
  if (!same)
    {
      g_autofree char *want = shape_string (n_dims, shape);
      g_autofree char *got = shape_string (t->n_dims, t->shape);

      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "Tensor “%s” has shape %s; expected %s", name, got, want);
      return FALSE;
    }

  memcpy (dest, st->data + t->begin, t->end - t->begin);
#if G_BYTE_ORDER != G_LITTLE_ENDIAN
  for (gsize i = 0; i < (t->end - t->begin) / 4; i++)
    {
      guint32 w;

      memcpy (&w, dest + i, 4);
      w = GUINT32_FROM_LE (w);
      memcpy (dest + i, &w, 4);
    }
#endif
  return TRUE;
}

gboolean
cvl_safetensors_has (CvlSafetensors *st,
                     const char     *name)
{
  return g_hash_table_contains (st->tensors, name);
}

GHashTable *
cvl_safetensors_get_metadata (CvlSafetensors *st)
{
  return st->metadata;
}
