/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The data-set options that train and eval share: --data DIR or --dataset
 * mnist|fashion, looked up where Convolve keeps them. */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-cli-dataset.h"

/* --data DIR, or --dataset NAME found where cvl_dataset_find looks. */
CvlDataset *
cvl_cli_load_dataset (const char  *dir,
                      const char  *name,
                      GError     **error)
{
  g_autofree char *found = NULL;

  if (dir != NULL && name != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("give either --data or --dataset, not both"));
      return NULL;
    }
  if (dir == NULL)
    {
      if (name == NULL)
        name = "mnist";
      if (!g_str_equal (name, "mnist") && !g_str_equal (name, "fashion"))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("--dataset takes mnist or fashion, not “%s”"), name);
          return NULL;
        }
      found = cvl_dataset_find (name, error);
      if (found == NULL)
        return NULL;
      dir = found;
    }
  return cvl_dataset_load (dir, error);
}
