/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The bundled model's search order (see the header); the paths come from
 * config.h, which meson fills from the install layout. */
#include "config.h"

#include "cvl-bundled-model.h"
#include "cvl-error.h"

/* NULL when /proc is not mounted or the layout has no relative path. */
static char *
beside_binary (void)
{
  g_autofree char *exe = NULL, *bindir = NULL, *path = NULL;

  if (BUNDLED_MODEL_FROM_BINDIR[0] == '\0')
    return NULL;
  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe == NULL)
    return NULL;
  bindir = g_path_get_dirname (exe);
  path = g_build_filename (bindir, BUNDLED_MODEL_FROM_BINDIR, NULL);
  return g_canonicalize_filename (path, NULL);
}

char *
cvl_bundled_model_find (GError **error)
{
  g_autofree char *relative = beside_binary ();
  const char *candidates[] = { relative, BUNDLED_MODEL_SOURCE, BUNDLED_MODEL_INSTALLED, NULL };
  const char **first = relative != NULL ? candidates : candidates + 1;
  g_autofree char *places = NULL;

  for (const char **c = first; *c != NULL; c++)
    if (g_file_test (*c, G_FILE_TEST_IS_REGULAR))
      return g_strdup (*c);

  places = g_strjoinv (", ", (char **) first);
  g_set_error (error, CVL_ERROR, CVL_ERROR_IO,
               "The bundled model is missing (looked in %s)", places);
  return NULL;
}
