/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `convolve-cli generators`: the generator ids `apply --kernel` accepts,
 * with each parameter's key, default and range, read from the core's table
 * so the list cannot drift from what the parser takes. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cvl-cli.h"
#include "cvl-kernel-gen.h"

/* "sigma=2 (0.3–42)" for every parameter, joined by ", ". */
static char *
describe_params (const CvlGeneratorInfo *info)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < info->n_params; i++)
    {
      const CvlGenParamInfo *param = &info->params[i];

      g_string_append_printf (text, "%s%s=%g (%g–%g)", i == 0 ? "" : ", ",
                              param->name, param->value, param->min, param->max);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
cvl_cli_generators (int      argc,
                    char   **argv,
                    GError **error)
{
  g_autoptr(GOptionContext) context = NULL;
  const CvlGeneratorInfo *generators;
  guint n_generators;
  int id_width = 0, label_width = 0;

  context = cvl_cli_context_new ("generators", NULL,
                                 _("List the kernel generators: the id, the name, and each "
                                   "parameter as key=default (range)."));
  g_option_context_set_description (context,
    _("Pass one to “convolve-cli apply --kernel” as ID or ID:KEY=VALUE,…, for example\n"
      "gaussian:sigma=8 or motion:len=40,angle=30; parameters left out keep their default."));
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("generators takes no arguments, got “%s”"), argv[1]);
      return FALSE;
    }

  generators = cvl_kernel_generators (&n_generators);
  for (guint i = 0; i < n_generators; i++)
    {
      id_width = MAX (id_width, (int) strlen (generators[i].id));
      label_width = MAX (label_width, (int) g_utf8_strlen (generators[i].label, -1));
    }
  for (guint i = 0; i < n_generators; i++)
    {
      g_autofree char *params = describe_params (&generators[i]);
      int pad = label_width - (int) g_utf8_strlen (generators[i].label, -1);

      g_print ("%-*s  %s%*s  %s\n", id_width, generators[i].id,
               generators[i].label, pad, "", params);
    }
  return TRUE;
}
