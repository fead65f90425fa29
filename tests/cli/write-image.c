/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helper: re-saves an image in another format GdkPixbuf can write
 * (jpeg, bmp, tiff), so the CLI tests make their JPEGs without fixtures.
 * Usage: write-image IN OUT TYPE */
#include <gdk-pixbuf/gdk-pixbuf.h>

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  if (argc != 4)
    {
      g_printerr ("Usage: write-image IN OUT TYPE\n");
      return 2;
    }

  pixbuf = gdk_pixbuf_new_from_file (argv[1], &error);
  if (pixbuf == NULL || !gdk_pixbuf_save (pixbuf, argv[2], argv[3], &error, NULL))
    {
      g_printerr ("write-image: %s\n", error->message);
      return 1;
    }
  return 0;
}
