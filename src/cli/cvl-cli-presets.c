/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `convolve-cli presets`: the ids `apply --kernel` accepts, with their
 * names, so scripts and people need not look them up in the source. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cvl-cli.h"
#include "cvl-kernel.h"

gboolean
cvl_cli_presets (int      argc,
                 char   **argv,
                 GError **error)
{
  g_autoptr(GOptionContext) context = NULL;
  const CvlPresetInfo *presets;
  guint n_presets;
  int width = 0;

  context = cvl_cli_context_new ("presets", NULL,
                                 _("List the built-in kernels: the id to pass to "
                                   "“convolve-cli apply --kernel” and the name."));
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("presets takes no arguments, got “%s”"), argv[1]);
      return FALSE;
    }

  presets = cvl_kernel_presets (&n_presets);
  for (guint i = 0; i < n_presets; i++)
    width = MAX (width, (int) strlen (presets[i].id));
  for (guint i = 0; i < n_presets; i++)
    g_print ("%-*s  %s\n", width, presets[i].id, presets[i].label);
  return TRUE;
}
