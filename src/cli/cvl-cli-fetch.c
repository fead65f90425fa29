/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `convolve-cli fetch`: MNIST or Fashion-MNIST from their mirrors into the
 * user data folder (or --dir), MD5-checked, resuming a cut download; the
 * same code the Train page's Download button runs. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "cvl-cli.h"
#include "cvl-dataset.h"

typedef struct
{
  const CvlDatasetSource *source;
  gboolean                tty;
} FetchProgress;

/* On the caller's thread here: cvl_dataset_download runs on it. */
static void
on_progress (guint    index,
             goffset  done,
             goffset  total,
             gpointer user_data)
{
  FetchProgress *p = user_data;
  const char *name = p->source->files[index].name;

  if (!p->tty)
    return;
  if (total > 0)
    fprintf (stderr, "\r\033[K%s  %.1f of %.1f MB", name, done / 1e6, total / 1e6);
  else
    fprintf (stderr, "\r\033[K%s  %.1f MB", name, done / 1e6);
  fflush (stderr);
}

gboolean
cvl_cli_fetch (int      argc,
               char   **argv,
               GError **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *dir = NULL;
  FetchProgress progress = { NULL, isatty (STDERR_FILENO) };
  gboolean ok;
  GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_("Where to put the files (default: the user data folder the app looks in)"), "DIR" },
    { NULL }
  };

  context = cvl_cli_context_new ("fetch", "mnist|fashion",
                                 _("Download a dataset's four .gz files, checking their "
                                   "MD5 before use. Mirrors: $CONVOLVE_MNIST_MIRRORS or "
                                   "$CONVOLVE_FASHION_MNIST_MIRRORS (space-separated URLs)."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("fetch takes one dataset name: mnist or fashion"));
      return FALSE;
    }
  progress.source = cvl_dataset_source (argv[1]);
  if (progress.source == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a dataset to fetch (mnist or fashion)"), argv[1]);
      return FALSE;
    }
  if (dir == NULL)
    dir = cvl_dataset_user_dir (argv[1]);

  ok = cvl_dataset_download (progress.source, dir, on_progress, &progress, NULL, error);
  if (progress.tty)
    fprintf (stderr, "\r\033[K");
  if (ok)
    g_print ("%s\n", dir);
  return ok;
}
