/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Makes the README's and the metainfo's screenshots from the current build:
 * builds the real window at 1200×800, puts each page in a telling state
 * through its public API (a sharpened photo with the inspector, a disk
 * blur and its spectrum, a drawn 7, MNIST training after an epoch) and
 * renders the window to PNG. Run under a display: scripts/take-screenshots.
 * Usage: take-screenshots OUTDIR [--data MNIST_DIR] */
#include "config.h"

#include <adwaita.h>

#include "cvl-dataset.h"
#include "cvl-draw-canvas.h"
#include "cvl-draw-page.h"
#include "cvl-image-view.h"
#include "cvl-kernel-page.h"
#include "cvl-matrix-view.h"
#include "cvl-train-page.h"
#include "cvl-window.h"

static GtkWidget *
find_type (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_type (c, type);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* What is on the X screen, as a user would see it (xwd and ImageMagick;
 * rendering the window to a texture drew some labels at the wrong size). */
static void
save_window (GtkWidget *window, const char *dir, const char *name)
{
  int w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf ("sh -c 'xwd -root -silent | convert xwd:- "
                                              "-crop %dx%d+0+0 +repage %s'", w, h, quoted);
  g_autoptr(GError) error = NULL;
  int status = 0;

  spin_ms (400);   /* let the last frame reach the screen */
  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("could not capture %s: %s", path, error->message);
  g_print ("%s (%d×%d)\n", path, w, h);
}

static void
scroll_to (GtkWidget *scroller, double fraction)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_adjustment_set_value (adj, fraction * (gtk_adjustment_get_upper (adj) -
                                             gtk_adjustment_get_page_size (adj)));
}

/* The last widget of `type` below `root`, depth first. */
static GtkWidget *
find_last (GtkWidget *root, GType type, GtkWidget *last)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    last = root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    last = find_last (c, type, last);
  return last;
}

/* Scrolls so that `widget` starts `margin` pixels below the top. */
static void
scroll_into_view (GtkWidget *widget, double margin)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  graphene_point_t p;

  if (gtk_widget_compute_point (widget, content, &GRAPHENE_POINT_INIT (0, 0), &p))
    gtk_adjustment_set_value (adj, p.y - margin);
}

static void
wait_kernels (CvlKernelPage *page)
{
  spin_ms (200);
  while (cvl_kernel_page_is_busy (page))
    g_main_context_iteration (NULL, TRUE);
}

int
main (int argc, char **argv)
{
  g_autofree char *data = NULL;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "MNIST folder", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("OUTDIR");
  g_autoptr(GError) error = NULL;
  GtkWidget *window;
  AdwViewStack *stack;
  CvlKernelPage *kernels;
  CvlTrainPage *train;
  CvlDrawPage *draw;
  const char *out;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("usage: take-screenshots OUTDIR [--data MNIST_DIR]\n");
      return 2;
    }
  out = argv[1];

  gtk_init ();
  adw_init ();
  {
    /* What AdwApplication loads for the app: its style sheet. */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/convolve/Convolve/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  window = GTK_WIDGET (g_object_new (CVL_TYPE_WINDOW, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  stack = ADW_VIEW_STACK (find_type (window, ADW_TYPE_VIEW_STACK));
  kernels = CVL_KERNEL_PAGE (find_type (window, CVL_TYPE_KERNEL_PAGE));
  train = CVL_TRAIN_PAGE (find_type (window, CVL_TYPE_TRAIN_PAGE));
  draw = CVL_DRAW_PAGE (find_type (window, CVL_TYPE_DRAW_PAGE));

  /* Kernels: the photo sharpened, split, one output pixel taken apart. */
  cvl_kernel_page_apply_preset (kernels, "sharpen");
  g_object_set (kernels, "view-mode", "split", NULL);
  wait_kernels (kernels);
  g_signal_emit_by_name (find_type (GTK_WIDGET (kernels), CVL_TYPE_IMAGE_VIEW), "hover",
                         115.0, 38.0, TRUE);
  save_window (window, out, "kernels-page.png");

  /* A bokeh disk and its frequency response. */
  g_signal_emit_by_name (find_type (GTK_WIDGET (kernels), CVL_TYPE_IMAGE_VIEW), "hover",
                         -1.0, -1.0, FALSE);
  gtk_widget_activate_action (GTK_WIDGET (kernels), "kernels.generator", "s", "disk");
  wait_kernels (kernels);
  scroll_into_view (find_last (GTK_WIDGET (kernels), CVL_TYPE_MATRIX_VIEW, NULL), 420);
  save_window (window, out, "large-kernel.png");
  cvl_kernel_page_apply_preset (kernels, "sharpen");
  wait_kernels (kernels);

  /* Draw: a 7 written as two strokes. */
  {
    static const double seven[] = { 0.25, 0.2, 0.72, 0.2, 0.6, 0.45, 0.45, 0.82 };
    CvlDrawCanvas *canvas = CVL_DRAW_CANVAS (find_type (GTK_WIDGET (draw), CVL_TYPE_DRAW_CANVAS));

    adw_view_stack_set_visible_child_name (stack, "draw");
    cvl_draw_canvas_add_stroke (canvas, seven, 4, 0.09);
    spin_ms (500);
    while (cvl_draw_page_is_busy (draw))
      g_main_context_iteration (NULL, TRUE);
    save_window (window, out, "draw-page.png");
  }

  /* Train: MNIST, 12,000 images an epoch, two epochs; shown mid-epoch 2. */
  adw_view_stack_set_visible_child_name (stack, "train");
  if (data != NULL)
    cvl_train_page_set_folder (train, data);
  while (!cvl_train_page_has_data (train))
    g_main_context_iteration (NULL, TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (train, "epochs")), 2);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cvl_train_page_get_part (train, "limit")), 12000);
  gtk_widget_activate_action (GTK_WIDGET (train), "train.start", NULL);
  while (cvl_train_page_get_step (train) < 94 + 60)
    g_main_context_iteration (NULL, TRUE);
  save_window (window, out, "train-page.png");
  scroll_to (gtk_widget_get_ancestor (cvl_train_page_get_part (train, "conv1-maps"),
                                      GTK_TYPE_SCROLLED_WINDOW), 0.42);
  save_window (window, out, "train-page-epoch.png");

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
