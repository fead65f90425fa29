/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window: owns the view stack of pages and the toast overlay,
 * forwards window-wide shortcuts (open, save, copy, paste, zoom) to the page
 * on screen, remembers its size. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cvl-draw-page.h"
#include "cvl-kernel-page.h"
#include "cvl-train-page.h"
#include "cvl-window.h"

struct _CvlWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwViewStack    *stack;
  AdwViewSwitcherTitle *switcher_title;
  CvlKernelPage   *kernel_page;
  CvlDrawPage     *draw_page;
  CvlTrainPage    *train_page;
  GtkWidget       *open_button, *save_button;
};

G_DEFINE_FINAL_TYPE (CvlWindow, cvl_window, ADW_TYPE_APPLICATION_WINDOW)

CvlWindow *
cvl_window_new (CvlApplication *application)
{
  return g_object_new (CVL_TYPE_WINDOW, "application", application, NULL);
}

void
cvl_window_open_file (CvlWindow *self,
                      GFile     *file)
{
  g_return_if_fail (CVL_IS_WINDOW (self));
  adw_view_stack_set_visible_child (self->stack, GTK_WIDGET (self->kernel_page));
  cvl_kernel_page_open_file (self->kernel_page, file);
}

void
cvl_toast (GtkWidget  *widget,
           const char *format,
           ...)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *text = NULL;
  AdwToast *toast, *previous;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (overlay == NULL)
    {
      g_debug ("toast outside a window: %s", text);
      return;
    }
  /* The newest message replaces the one on screen rather than queueing
   * behind it: what the user just did is what they want to hear about. */
  previous = g_object_get_data (G_OBJECT (overlay), "cvl-last-toast");
  if (previous != NULL)
    adw_toast_dismiss (previous);
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 5);
  g_object_set_data_full (G_OBJECT (overlay), "cvl-last-toast", g_object_ref (toast), g_object_unref);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static GSettings *
window_settings (CvlWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return CVL_IS_APPLICATION (app) ? cvl_application_get_settings (CVL_APPLICATION (app)) : NULL;
}

typedef enum { PAGE_KERNELS, PAGE_TRAIN, PAGE_DRAW } Page;

static Page
visible_page (CvlWindow *self)
{
  GtkWidget *child = adw_view_stack_get_visible_child (self->stack);

  return child == GTK_WIDGET (self->draw_page) ? PAGE_DRAW
         : child == GTK_WIDGET (self->train_page) ? PAGE_TRAIN : PAGE_KERNELS;
}

/* Window actions hand over to the page on screen. */
static void
open_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  CvlWindow *self = CVL_WINDOW (widget);

  switch (visible_page (self))
    {
    case PAGE_DRAW:
      gtk_widget_activate_action (GTK_WIDGET (self->draw_page), "draw.open", NULL);
      break;
    case PAGE_TRAIN:
      gtk_widget_activate_action (GTK_WIDGET (self->train_page), "train.load", NULL);
      break;
    case PAGE_KERNELS:
    default:
      cvl_kernel_page_open (self->kernel_page);
      break;
    }
}

static void
save_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  CvlWindow *self = CVL_WINDOW (widget);

  if (visible_page (self) == PAGE_TRAIN)
    gtk_widget_activate_action (GTK_WIDGET (self->train_page), "train.save-model", NULL);
  else
    cvl_kernel_page_save (self->kernel_page);
}

static void
copy_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  cvl_kernel_page_copy (CVL_WINDOW (widget)->kernel_page);
}

static void
paste_action (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  CvlWindow *self = CVL_WINDOW (widget);

  if (visible_page (self) == PAGE_DRAW)
    gtk_widget_activate_action (GTK_WIDGET (self->draw_page), "draw.paste", NULL);
  else
    cvl_kernel_page_paste (self->kernel_page);
}

/* window.zoom-in → kernels.zoom-in on the page */
static void
page_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  g_autofree char *page_action_name = g_strconcat ("kernels.", strchr (action, '.') + 1, NULL);

  gtk_widget_activate_action (GTK_WIDGET (CVL_WINDOW (widget)->kernel_page), page_action_name, NULL);
}

/* Each page gets the window actions that mean something on it. */
static void
on_visible_page (AdwViewStack *stack,
                 GParamSpec   *pspec,
                 CvlWindow    *self)
{
  Page page = visible_page (self);
  const char *kernel_only[] = { "window.copy", "window.zoom-in", "window.zoom-out",
                                "window.zoom-fit", "window.zoom-one" };

  for (guint i = 0; i < G_N_ELEMENTS (kernel_only); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), kernel_only[i], page == PAGE_KERNELS);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.save", page != PAGE_DRAW);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.paste", page != PAGE_TRAIN);
  gtk_widget_set_tooltip_text (self->open_button,
                               page == PAGE_TRAIN ? _("Load a Model or a Checkpoint (Ctrl+O)")
                               : _("Open an Image (Ctrl+O)"));
  gtk_widget_set_tooltip_text (self->save_button,
                               page == PAGE_TRAIN ? _("Save the Model (Ctrl+Shift+S)")
                               : _("Save the Result as PNG (Ctrl+Shift+S)"));
}

/* -- Between the pages -------------------------------------------------- */

static void
on_train_net_changed (CvlTrainPage *page,
                      CvlWindow    *self)
{
  AdwViewStackPage *draw = adw_view_stack_get_page (self->stack, GTK_WIDGET (self->draw_page));

  cvl_draw_page_set_trained_net (self->draw_page, cvl_train_page_get_net_ref (page));
  adw_view_stack_page_set_visible (draw, TRUE);
}

static void
on_use_filter (CvlTrainPage *page,
               const float  *weights,
               int           size,
               int           index,
               CvlWindow    *self)
{
  g_autoptr(CvlKernel) kernel = cvl_kernel_new (size, size, NULL);

  memcpy (kernel->values, weights, sizeof (float) * size * size);
  cvl_kernel_page_set_kernel (self->kernel_page, kernel, CVL_MAP_SIGNED);
  adw_view_stack_set_visible_child (self->stack, GTK_WIDGET (self->kernel_page));
  cvl_toast (GTK_WIDGET (self), _("Learned conv1 filter %d applied"), index + 1);
}

static void
on_open_digit (CvlTrainPage *page,
               const guint8 *pixels,
               const char   *name,
               CvlWindow    *self)
{
  AdwViewStackPage *draw = adw_view_stack_get_page (self->stack, GTK_WIDGET (self->draw_page));

  adw_view_stack_page_set_visible (draw, TRUE);
  cvl_draw_page_open_pixels (self->draw_page, pixels, CVL_NET_INPUT_SIDE, CVL_NET_INPUT_SIDE,
                             name);
  adw_view_stack_set_visible_child (self->stack, GTK_WIDGET (self->draw_page));
}

static gboolean
cvl_window_close_request (GtkWindow *window)
{
  CvlWindow *self = CVL_WINDOW (window);
  GSettings *settings = window_settings (self);

  if (settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
    }
  return GTK_WINDOW_CLASS (cvl_window_parent_class)->close_request (window);
}

static void
cvl_window_constructed (GObject *object)
{
  CvlWindow *self = CVL_WINDOW (object);
  GSettings *settings;

  G_OBJECT_CLASS (cvl_window_parent_class)->constructed (object);

  settings = window_settings (self);
  if (settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      cvl_kernel_page_set_settings (self->kernel_page, settings);
      cvl_train_page_set_settings (self->train_page, settings);
    }
}

static void
cvl_window_class_init (CvlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = cvl_window_constructed;
  window_class->close_request = cvl_window_close_request;

  g_type_ensure (CVL_TYPE_KERNEL_PAGE);
  g_type_ensure (CVL_TYPE_DRAW_PAGE);
  g_type_ensure (CVL_TYPE_TRAIN_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/convolve/Convolve/ui/cvl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, kernel_page);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, draw_page);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, train_page);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, save_button);

  gtk_widget_class_install_action (widget_class, "window.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "window.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "window.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "window.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "window.zoom-in", NULL, page_action);
  gtk_widget_class_install_action (widget_class, "window.zoom-out", NULL, page_action);
  gtk_widget_class_install_action (widget_class, "window.zoom-fit", NULL, page_action);
  gtk_widget_class_install_action (widget_class, "window.zoom-one", NULL, page_action);

  /* Class shortcuts run in the bubble phase: a focused text cell handles its
   * own Ctrl+C / Ctrl+V first, everything else reaches the window. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "window.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "window.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_S, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "window.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "window.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "window.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "window.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "window.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "window.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "window.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "window.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "window.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "window.zoom-one", NULL);
}

static void
cvl_window_init (CvlWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->stack, "notify::visible-child", G_CALLBACK (on_visible_page), self);
  /* Without its network the Draw page cannot work, so it is not offered. */
  adw_view_stack_page_set_visible (adw_view_stack_get_page (self->stack, GTK_WIDGET (self->draw_page)),
                                   cvl_draw_page_bundled_model_path () != NULL);
  g_object_bind_property (self->kernel_page, "input-name", self->switcher_title, "subtitle",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect (self->train_page, "net-changed", G_CALLBACK (on_train_net_changed), self);
  g_signal_connect (self->train_page, "use-filter", G_CALLBACK (on_use_filter), self);
  g_signal_connect (self->train_page, "open-digit", G_CALLBACK (on_open_digit), self);
}
