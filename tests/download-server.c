/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Starts and stops tests/download-server.py for the download tests; the
 * served files and the request log live in a temporary folder. */
#include "config.h"

#include <glib/gstdio.h>

#include "download-server.h"

struct _TestServer
{
  GSubprocess *process;
  char        *root;
  char        *log;
  GPtrArray   *files;
  int          port;
};

TestServer *
test_server_start (void)
{
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GError *error = NULL;

  server->root = g_dir_make_tmp ("cvl-mirror-XXXXXX", &error);
  g_assert_no_error (error);
  server->log = g_build_filename (server->root, "requests.log", NULL);
  server->files = g_ptr_array_new_with_free_func (g_free);
  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3",
                                      DOWNLOAD_SERVER, server->root, server->log, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  server->port = atoi (line);
  g_assert_cmpint (server->port, >, 0);
  return server;
}

char *
test_server_add_file (TestServer   *server,
                      const char   *name,
                      const guint8 *data,
                      gsize         len)
{
  g_autofree char *path = g_build_filename (server->root, name, NULL);
  GError *error = NULL;

  g_file_set_contents (path, (const char *) data, len, &error);
  g_assert_no_error (error);
  g_ptr_array_add (server->files, g_steal_pointer (&path));
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, data, len);
}

char *
test_server_url (TestServer *server,
                 const char *mode)
{
  return g_strdup_printf ("http://127.0.0.1:%d/%s/", server->port, mode);
}

char *
test_server_log (TestServer *server)
{
  char *text = NULL;

  if (!g_file_get_contents (server->log, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

void
test_server_clear_log (TestServer *server)
{
  g_unlink (server->log);
}

void
test_server_stop (TestServer *server)
{
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  for (guint i = 0; i < server->files->len; i++)
    g_unlink (server->files->pdata[i]);
  g_ptr_array_unref (server->files);
  g_unlink (server->log);
  g_rmdir (server->root);
  g_free (server->log);
  g_free (server->root);
  g_free (server);
}
