/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Does the window stay smooth while big renders run? Opens a 12-megapixel
 * image in a real Kernels page, drives a series of large-kernel edits (each
 * cancelling the last) and records how late a 10 ms main-loop timer fires.
 * Run under a display (tests/ui/run-under-x.sh does Xvfb); meson's benchmark
 * sets GSK_RENDERER=cairo, because Xvfb's software OpenGL alone takes
 * ~90 ms a frame, which says nothing about Convolve. CVL_THREADS=N limits
 * the engine's threads. */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "cvl-conv.h"
#include "cvl-imageio.h"
#include "cvl-kernel-page.h"
#include "cvl-window.h"
#include "bench-lateness.h"

#define TICK_MS 10

static GtkWidget *
find_page (GtkWidget *root)
{
  if (CVL_IS_KERNEL_PAGE (root))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_page (c);
      if (found)
        return found;
    }
  return NULL;
}

static void
spin_until_idle (CvlKernelPage *page, guint renders)
{
  while (cvl_kernel_page_is_busy (page) || cvl_kernel_page_get_render_count (page) < renders)
    g_main_context_iteration (NULL, TRUE);
}

int
main (int argc, char *argv[])
{
  g_autoptr (CvlImage) image = cvl_image_new (4000, 3000, 3, NULL);
  g_autoptr (GBytes) png = NULL;
  static const char *edits[] = { "gaussian", "disk", "motion", "log", "unsharp", "box" };
  BenchLateness *probe;
  CvlKernelPage *page;
  GtkWidget *window;
  gint64 t0;
  guint renders;

  gtk_init ();
  adw_init ();
  if (g_getenv ("CVL_THREADS") != NULL)
    cvl_conv_set_threads (atoi (g_getenv ("CVL_THREADS")));

  /* A smooth synthetic photo: gradients and rings, like real content. */
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 3000; y++)
      for (int x = 0; x < 4000; x++)
        cvl_image_plane (image, c)[(gsize) y * 4000 + x] =
          0.5f + 0.5f * sinf ((x * (c + 1) + y) * 0.01f) * cosf (y * 0.003f);
  png = cvl_imageio_png_bytes (image, NULL, CVL_MAP_CLAMP, NULL);

  window = GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL));
  gtk_window_present (GTK_WINDOW (window));
  page = CVL_KERNEL_PAGE (find_page (window));
  spin_until_idle (page, 1);

  renders = cvl_kernel_page_get_render_count (page);
  cvl_kernel_page_open_bytes (page, png, "bench-12mp");
  spin_until_idle (page, renders + 1);

  probe = bench_lateness_start (TICK_MS);

  /* Each edit lands while the previous render is still running. */
  t0 = g_get_monotonic_time ();
  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
      {
        gint64 until = g_get_monotonic_time () + 150 * 1000;

        cvl_kernel_page_apply_generator (page, edits[i]);
        while (g_get_monotonic_time () < until)
          g_main_context_iteration (NULL, TRUE);
      }
  renders = cvl_kernel_page_get_render_count (page);
  spin_until_idle (page, renders);

  {
    double p50, p99, max;
    guint n = bench_lateness_finish (probe, &p50, &p99, &max);

    g_print ("ui-latency image=4000x3000 edits=%u seconds=%.1f ticks=%u "
             "late_p50_ms=%.1f late_p99_ms=%.1f late_max_ms=%.1f\n",
             3 * (guint) G_N_ELEMENTS (edits), (g_get_monotonic_time () - t0) / 1e6, n,
             p50, p99, max);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
