/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A main() for the fuzz targets when libFuzzer is not linked in (a gcc
 * build): runs LLVMFuzzerTestOneInput on every file named, or in the folders
 * named, so the corpus and the crash regressions replay in every test run. */
#include <stdio.h>

#include "fuzz-common.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static int
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize size;

  if (!g_file_get_contents (path, &data, &size, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* An exact-size copy, so ASan sees a read one byte past the input. */
  {
    g_autofree guint8 *copy = g_memdup2 (data, size);

    LLVMFuzzerTestOneInput (size ? copy : (const guint8 *) "", size);
  }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  int n_inputs = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  if (argc < 2)
    {
      g_printerr ("usage: %s FILE|FOLDER…\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          if (dir == NULL)
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          while ((name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
          g_ptr_array_sort (names, compare_paths);
          for (guint j = 0; j < names->len; j++)
            {
              const char *path = g_ptr_array_index (names, j);

              if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
                continue;
              if (run_file (path) != 0)
                return 1;
              n_inputs++;
            }
        }
      else
        {
          if (run_file (argv[i]) != 0)
            return 1;
          n_inputs++;
        }
    }
  if (n_inputs == 0)
    {
      g_printerr ("%s: no inputs found\n", argv[0]);
      return 1;
    }
  printf ("%s: %d inputs ran\n", argv[0], n_inputs);
  return 0;
}
