/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TensorBoard event files (see the header for the layout): a hand-rolled
 * protobuf encoder for the handful of fields TensorBoard reads, and the
 * TFRecord framing around it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cvl-error.h"
#include "cvl-png.h"
#include "cvl-tfevents.h"

struct _CvlTfEvents
{
  char *path;
  int   fd;
};

/* ---- CRC-32C ------------------------------------------------------------ */

static guint32 crc32c_table[256];

static gpointer
init_crc32c_table (gpointer data)
{
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;

      for (int k = 0; k < 8; k++)
        c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      crc32c_table[i] = c;
    }
  return NULL;
}

guint32
cvl_crc32c (const guint8 *data,
            gsize         len)
{
  static GOnce once = G_ONCE_INIT;
  guint32 crc = 0xffffffffu;

  g_return_val_if_fail (data != NULL || len == 0, 0);

  g_once (&once, init_crc32c_table, NULL);
  for (gsize i = 0; i < len; i++)
    crc = crc32c_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

guint32
cvl_crc32c_mask (guint32 crc)
{
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

/* ---- protobuf ----------------------------------------------------------- */

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_BYTES = 2, WIRE_FIXED32 = 5 };

static void
put_varint (GByteArray *out,
            guint64     value)
{
  guint8 b[10];
  guint n = 0;

  do
    {
      b[n] = value & 0x7f;
      value >>= 7;
      if (value != 0)
        b[n] |= 0x80;
      n++;
    }
  while (value != 0);
  g_byte_array_append (out, b, n);
}

static void
put_key (GByteArray *out,
         guint       field,
         guint       wire)
{
  put_varint (out, (guint64) field << 3 | wire);
}

static void
put_le (GByteArray *out,
        guint64     value,
        guint       n_bytes)
{
  guint8 b[8];

  for (guint i = 0; i < n_bytes; i++)
    b[i] = value >> (8 * i);
  g_byte_array_append (out, b, n_bytes);
}

static void
put_bytes (GByteArray   *out,
           guint         field,
           const void   *data,
           gsize         len)
{
  put_key (out, field, WIRE_BYTES);
  put_varint (out, len);
  g_byte_array_append (out, data, len);
}

static void
put_int (GByteArray *out,
         guint       field,
         gint64      value)
{
  put_key (out, field, WIRE_VARINT);
  put_varint (out, (guint64) value);   /* int32/int64: two's complement */
}

/* An Event without its summary (wall_time, step), to which a caller appends
 * field 3 or 5. */
static GByteArray *
event_new (gint64 step)
{
  GByteArray *event = g_byte_array_new ();
  union { double d; guint64 u; } wall = { .d = g_get_real_time () / 1e6 };

  put_key (event, 1, WIRE_FIXED64);
  put_le (event, wall.u, 8);
  if (step != 0)
    put_int (event, 2, step);
  return event;
}

/* ---- TFRecord ----------------------------------------------------------- */

static gboolean
write_record (CvlTfEvents      *events,
              const GByteArray *data,
              GError          **error)
{
  g_autoptr (GByteArray) record = g_byte_array_sized_new (data->len + 16);
  gsize done = 0;

  put_le (record, data->len, 8);
  put_le (record, cvl_crc32c_mask (cvl_crc32c (record->data, 8)), 4);
  g_byte_array_append (record, data->data, data->len);
  put_le (record, cvl_crc32c_mask (cvl_crc32c (data->data, data->len)), 4);

  /* One record per write(): a reader never sees a record cut in two unless
   * the disk fills up, and then the error says so. */
  while (done < record->len)
    {
      gssize n = write (events->fd, record->data + done, record->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not write “%s”: %s",
                       events->path, g_strerror (saved));
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

/* ---- the writer --------------------------------------------------------- */

CvlTfEvents *
cvl_tfevents_new (const char  *dir,
                  GError     **error)
{
  g_autoptr (CvlTfEvents) events = g_new0 (CvlTfEvents, 1);
  g_autoptr (GByteArray) first = NULL;
  g_autofree char *base = NULL;
  const char *host = g_get_host_name ();

  g_return_val_if_fail (dir != NULL, NULL);

  events->fd = -1;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not create the folder “%s”: %s",
                   dir, g_strerror (saved));
      return NULL;
    }
  base = g_strdup_printf ("events.out.tfevents.%" G_GINT64_FORMAT ".%s",
                          g_get_real_time () / G_USEC_PER_SEC, host);
  for (int attempt = 0; events->fd < 0; attempt++)
    {
      g_autofree char *name = attempt == 0 ? g_strdup (base)
                                           : g_strdup_printf ("%s.%d", base, attempt);

      g_free (events->path);
      events->path = g_build_filename (dir, name, NULL);
      events->fd = g_open (events->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (events->fd < 0 && (errno != EEXIST || attempt >= 100))
        {
          int saved = errno;

          g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not create “%s”: %s",
                       events->path, g_strerror (saved));
          return NULL;
        }
    }

  first = event_new (0);
  put_bytes (first, 3, "brain.Event:2", strlen ("brain.Event:2"));
  if (!write_record (events, first, error))
    return NULL;
  return g_steal_pointer (&events);
}

const char *
cvl_tfevents_get_path (CvlTfEvents *events)
{
  g_return_val_if_fail (events != NULL, NULL);
  return events->path;
}

/* Event { step, summary { value { tag, <value> } } } with <value> given as
 * the already-encoded Value fields after the tag. */
static gboolean
write_summary (CvlTfEvents      *events,
               const char       *tag,
               gint64            step,
               const GByteArray *value_rest,
               GError          **error)
{
  g_autoptr (GByteArray) value = g_byte_array_new ();
  g_autoptr (GByteArray) summary = g_byte_array_new ();
  g_autoptr (GByteArray) event = event_new (step);

  put_bytes (value, 1, tag, strlen (tag));
  g_byte_array_append (value, value_rest->data, value_rest->len);
  put_bytes (summary, 1, value->data, value->len);
  put_bytes (event, 5, summary->data, summary->len);
  return write_record (events, event, error);
}

gboolean
cvl_tfevents_add_scalar (CvlTfEvents  *events,
                         const char   *tag,
                         gint64        step,
                         float         value,
                         GError      **error)
{
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  union { float f; guint32 u; } bits = { .f = value };

  g_return_val_if_fail (events != NULL && tag != NULL, FALSE);

  put_key (rest, 2, WIRE_FIXED32);
  put_le (rest, bits.u, 4);
  return write_summary (events, tag, step, rest, error);
}

gboolean
cvl_tfevents_add_image (CvlTfEvents  *events,
                        const char   *tag,
                        gint64        step,
                        const guint8 *pixels,
                        int           width,
                        int           height,
                        int           channels,
                        GError      **error)
{
  g_autoptr (GByteArray) image = g_byte_array_new ();
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  g_autoptr (GBytes) png = NULL;
  gconstpointer png_data;
  gsize png_len;

  g_return_val_if_fail (events != NULL && tag != NULL && pixels != NULL, FALSE);

  png = cvl_png_encode (pixels, width, height, channels, (gsize) width * channels, error);
  if (png == NULL)
    return FALSE;
  png_data = g_bytes_get_data (png, &png_len);
  put_int (image, 1, height);
  put_int (image, 2, width);
  put_int (image, 3, channels);   /* colorspace: 1 gray, 3 RGB, 4 RGBA */
  put_bytes (image, 4, png_data, png_len);
  put_bytes (rest, 4, image->data, image->len);
  return write_summary (events, tag, step, rest, error);
}

void
cvl_tfevents_free (CvlTfEvents *events)
{
  if (events == NULL)
    return;
  if (events->fd >= 0)
    close (events->fd);
  g_free (events->path);
  g_free (events);
}
