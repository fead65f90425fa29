/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The download tests' local mirror: tests/download-server.py started on
 * 127.0.0.1 over a folder of files the test puts there (see the script for
 * what each mirror mode does). */
#pragma once

#include <gio/gio.h>

typedef struct _TestServer TestServer;

TestServer *test_server_start     (void);
/* Adds `name` with `data` to what the server serves; returns its MD5. */
char       *test_server_add_file  (TestServer   *server,
                                   const char   *name,
                                   const guint8 *data,
                                   gsize         len);
/* The base URL of a mirror mode: "http://127.0.0.1:PORT/good/". */
char       *test_server_url       (TestServer   *server,
                                   const char   *mode);
/* Every request so far, one "mode name range status" line each. */
char       *test_server_log       (TestServer   *server);
void        test_server_clear_log (TestServer   *server);
void        test_server_stop      (TestServer   *server);
