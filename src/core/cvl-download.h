/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Downloading a few files from a list of mirrors over HTTP(S) with libsoup:
 * into NAME.part, resumed with a Range request when a .part is already
 * there, MD5-checked, and renamed to NAME only when the sum matches. Blocking:
 * run it on a worker thread. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;   /* on the mirror and on disk: "train-images-idx3-ubyte.gz" */
  const char *md5;    /* the whole file's MD5, lowercase hex */
} CvlDownloadFile;

/* Called on the downloading thread, at most every 50 ms and at each file's
 * end: file `index` has `done` of `total` bytes (total −1: not known yet). */
typedef void (*CvlDownloadProgress) (guint       index,
                                     goffset     done,
                                     goffset     total,
                                     gpointer    user_data);

/* Puts each of `files` in `dir` (created if needed), trying `mirrors`
 * (base URLs) in order: a 404, a dropped connection or a wrong MD5 moves on
 * to the next mirror; a wrong MD5 deletes the .part; a dropped connection
 * keeps it for the next try. A file already in `dir` with the right MD5 is
 * not downloaded again. The error says what each mirror did. */
gboolean cvl_download_files (const char * const    *mirrors,
                             const CvlDownloadFile *files,
                             guint                  n_files,
                             const char            *dir,
                             CvlDownloadProgress    progress,
                             gpointer               user_data,
                             GCancellable          *cancellable,
                             GError               **error);

/* The lowercase hex checksum of what `input` reads to its end, or NULL with
 * an error. */
char    *cvl_download_checksum    (GInputStream  *input,
                                   GChecksumType  type,
                                   GCancellable  *cancellable,
                                   GError       **error);
/* The lowercase hex MD5 of a file, or NULL with an error. */
char    *cvl_download_md5_of_file (const char    *path,
                                   GCancellable  *cancellable,
                                   GError       **error);

G_END_DECLS
