/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window: owns the view stack of pages and the toast overlay,
 * forwards window-wide shortcuts (open, save, copy, paste, zoom) to the page
 * on screen, remembers its size. */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-draw-page.h"
#include "cvl-kernel-page.h"
#include "cvl-window.h"

struct _CvlWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwViewStack    *stack;
  AdwViewSwitcherTitle *switcher_title;
  CvlKernelPage   *kernel_page;
  CvlDrawPage     *draw_page;
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

static gboolean
drawing (CvlWindow *self)
{
  return adw_view_stack_get_visible_child (self->stack) == GTK_WIDGET (self->draw_page);
}

/* Window actions hand over to the page on screen. */
#define FORWARD_ACTION(name, call)                                   \
  static void                                                        \
  name (GtkWidget *widget, const char *action, GVariant *param)      \
  {                                                                  \
    call (CVL_WINDOW (widget)->kernel_page);                         \
  }
FORWARD_ACTION (save_action, cvl_kernel_page_save)
FORWARD_ACTION (copy_action, cvl_kernel_page_copy)
#undef FORWARD_ACTION

static void
open_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  CvlWindow *self = CVL_WINDOW (widget);

  if (drawing (self))
    gtk_widget_activate_action (GTK_WIDGET (self->draw_page), "draw.open", NULL);
  else
    cvl_kernel_page_open (self->kernel_page);
}

static void
paste_action (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  CvlWindow *self = CVL_WINDOW (widget);

  if (drawing (self))
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

/* Saving and copying a result belong to the Kernels page only. */
static void
on_visible_page (AdwViewStack *stack,
                 GParamSpec   *pspec,
                 CvlWindow    *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.save", !drawing (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.copy", !drawing (self));
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
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/convolve/Convolve/ui/cvl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, kernel_page);
  gtk_widget_class_bind_template_child (widget_class, CvlWindow, draw_page);

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
}
