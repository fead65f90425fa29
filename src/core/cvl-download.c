/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mirrors, partial files and checksums: the sync libsoup API on the caller's
 * (worker) thread, with a session made for the call, so nothing here touches
 * the main context. A .part grows only by what the server sent for it;
 * resuming asks for `bytes=<size>-` and appends only to a 206 that starts
 * there (a 200 starts the file again). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cvl-download.h"
#include "cvl-error.h"

#define CHUNK (64 * 1024)
#define PROGRESS_US 50000

typedef struct
{
  guint               index;
  CvlDownloadProgress progress;
  gpointer            user_data;
  gint64              last;
} Progress;

static void
report (Progress *p,
        goffset   done,
        goffset   total,
        gboolean  force)
{
  gint64 now = g_get_monotonic_time ();

  if (p->progress == NULL || (!force && now - p->last < PROGRESS_US))
    return;
  p->last = now;
  p->progress (p->index, done, total, p->user_data);
}

char *
cvl_download_checksum (GInputStream  *input,
                       GChecksumType  type,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (type);
  g_autofree guint8 *buffer = g_malloc (CHUNK);

  g_return_val_if_fail (G_IS_INPUT_STREAM (input), NULL);

  for (;;)
    {
      gssize n = g_input_stream_read (input, buffer, CHUNK, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_checksum_update (checksum, buffer, n);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

char *
cvl_download_md5_of_file (const char    *path,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  input = g_file_read (file, cancellable, error);
  if (input == NULL)
    return NULL;
  return cvl_download_checksum (G_INPUT_STREAM (input), G_CHECKSUM_MD5, cancellable, error);
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (goffset) st.st_size : 0;
}

/* One GET of `url` into `part`, resumed from its current size. FALSE with
 * an error when the server refused or the transfer stopped; whatever
 * arrived before is in `part`. */
static gboolean
fetch (SoupSession   *session,
       const char    *url,
       const char    *part,
       Progress      *progress,
       GCancellable  *cancellable,
       GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (part);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree guint8 *buffer = NULL;
  goffset offset = file_size (part), done, total, length;
  guint status;
  gboolean ok = TRUE;

  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT, "“%s” is not a valid URL", url);
      return FALSE;
    }
  if (offset > 0)
    soup_message_headers_set_range (soup_message_get_request_headers (msg), offset, -1);
  body = soup_session_send (session, msg, cancellable, &local);
  if (body == NULL)
    {
      if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&local, "%s: ", url);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && offset > 0)
    return TRUE;   /* the .part is whole already; its MD5 decides */
  if (status == SOUP_STATUS_PARTIAL_CONTENT && offset > 0)
    {
      goffset start = -1, end = -1, whole = -1;

      if (!soup_message_headers_get_content_range (soup_message_get_response_headers (msg),
                                                   &start, &end, &whole) || start != offset)
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                       "%s answered a request from byte %" G_GOFFSET_FORMAT
                       " with another range", url, offset);
          return FALSE;
        }
      out = g_file_append_to (file, G_FILE_CREATE_NONE, cancellable, error);
    }
  else if (status == SOUP_STATUS_OK)
    {
      /* Not resumable here (or nothing to resume): start the file again. */
      offset = 0;
      g_unlink (part);
      /* Appended, not replaced: g_file_replace writes a temporary until
       * close, and a cut transfer must leave its bytes in the .part. */
      out = g_file_append_to (file, G_FILE_CREATE_NONE, cancellable, error);
    }
  else
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "%s: HTTP %u %s", url, status,
                   soup_message_get_reason_phrase (msg));
      return FALSE;
    }
  if (out == NULL)
    return FALSE;

  length = soup_message_headers_get_content_length (soup_message_get_response_headers (msg));
  total = length > 0 ? offset + length : -1;
  done = offset;
  buffer = g_malloc (CHUNK);
  report (progress, done, total, TRUE);
  for (;;)
    {
      gsize written = 0;
      gssize n = g_input_stream_read (body, buffer, CHUNK, cancellable, &local);

      if (n <= 0)
        break;
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buffer, n, &written, NULL, &local))
        break;
      done += n;
      report (progress, done, total, FALSE);
    }
  /* Closed without the cancellable: what was received stays on disk. */
  if (!g_output_stream_close (G_OUTPUT_STREAM (out), NULL, local == NULL ? &local : NULL))
    ok = FALSE;
  g_input_stream_close (body, NULL, NULL);
  report (progress, done, total, TRUE);
  if (local != NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, CVL_ERROR, CVL_ERROR_IO,
                     "%s stopped after %" G_GOFFSET_FORMAT " bytes: %s", url, done,
                     local->message);
      return FALSE;
    }
  if (ok && total > 0 && done != total)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO,
                   "%s stopped after %" G_GOFFSET_FORMAT " of %" G_GOFFSET_FORMAT " bytes",
                   url, done, total);
      return FALSE;
    }
  return ok;
}

static char *
mirror_url (const char *mirror,
            const char *name)
{
  return g_strconcat (mirror, g_str_has_suffix (mirror, "/") ? "" : "/", name, NULL);
}

/* The file from the first mirror that gives it with the right MD5. */
static gboolean
download_one (SoupSession           *session,
              const char * const    *mirrors,
              const CvlDownloadFile *file,
              const char            *dir,
              Progress              *progress,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autofree char *path = g_build_filename (dir, file->name, NULL);
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autoptr(GString) why = g_string_new (NULL);

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *sum = cvl_download_md5_of_file (path, cancellable, NULL);

      if (sum != NULL && g_ascii_strcasecmp (sum, file->md5) == 0)
        {
          goffset size = file_size (path);

          report (progress, size, size, TRUE);
          return TRUE;
        }
    }

  for (guint m = 0; mirrors[m] != NULL; m++)
    {
      g_autofree char *url = mirror_url (mirrors[m], file->name);
      g_autofree char *sum = NULL;
      g_autoptr(GError) local = NULL;

      if (!fetch (session, url, part, progress, cancellable, &local))
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          g_string_append_printf (why, "%s%s", why->len > 0 ? "; " : "", local->message);
          continue;
        }
      sum = cvl_download_md5_of_file (part, cancellable, &local);
      if (sum == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (g_ascii_strcasecmp (sum, file->md5) != 0)
        {
          /* Never kept, never resumed: the next mirror starts afresh. */
          g_unlink (part);
          g_string_append_printf (why, "%s%s has MD5 %s, not %s (deleted)",
                                  why->len > 0 ? "; " : "", url, sum, file->md5);
          continue;
        }
      if (g_rename (part, path) != 0)
        {
          int saved = errno;

          g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not rename “%s”: %s", part,
                       g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }
  g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not download %s: %s", file->name,
               why->len > 0 ? why->str : "no mirror to try");
  return FALSE;
}

gboolean
cvl_download_files (const char * const    *mirrors,
                    const CvlDownloadFile *files,
                    guint                  n_files,
                    const char            *dir,
                    CvlDownloadProgress    progress,
                    gpointer               user_data,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(SoupSession) session = NULL;

  g_return_val_if_fail (mirrors != NULL && dir != NULL, FALSE);
  g_return_val_if_fail (files != NULL || n_files == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not create “%s”: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  /* `timeout`: a mirror that stops sending for 30 s counts as dropped. */
  session = soup_session_new_with_options ("user-agent", "Convolve/" PACKAGE_VERSION,
                                           "timeout", 30, NULL);
  /* The bytes as the server stores them: MD5s and Range offsets are of the
   * .gz files, which a Content-Encoding would otherwise have unpacked. */
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  for (guint i = 0; i < n_files; i++)
    {
      Progress p = { i, progress, user_data, 0 };

      if (!download_one (session, mirrors, &files[i], dir, &p, cancellable, error))
        return FALSE;
    }
  return TRUE;
}
