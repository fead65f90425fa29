/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Application-wide actions (about, preferences, quit), keyboard accelerators and the
 * GSettings object shared by the windows. */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-application.h"
#include "cvl-conv.h"
#include "cvl-error.h"
#include "cvl-preferences-window.h"
#include "cvl-window.h"

struct _CvlApplication
{
  AdwApplication parent_instance;

  GSettings    *settings;
  GCancellable *calibration;
};

G_DEFINE_FINAL_TYPE (CvlApplication, cvl_application, ADW_TYPE_APPLICATION)

CvlApplication *
cvl_application_new (void)
{
  return g_object_new (CVL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/convolve/Convolve",
                       NULL);
}

GSettings *
cvl_application_get_settings (CvlApplication *self)
{
  g_return_val_if_fail (CVL_IS_APPLICATION (self), NULL);
  return self->settings;
}

static CvlWindow *
get_or_create_window (CvlApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (cvl_window_new (self));
  return CVL_WINDOW (window);
}

static void
cvl_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_or_create_window (CVL_APPLICATION (app))));
}

static void
cvl_application_open (GApplication  *app,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  CvlWindow *window = get_or_create_window (CVL_APPLICATION (app));

  if (n_files > 0)
    cvl_window_open_file (window, files[0]);
  gtk_window_present (GTK_WINDOW (window));
}

static void
show_about (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Convolve developers", NULL };
  const char *artists[] = {
    _("Stefan van der Walt, “Chelsea the cat” sample photo (CC0, from scikit-image)"),
    NULL
  };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  gtk_window_set_transient_for (GTK_WINDOW (about),
                                gtk_application_get_active_window (app));
  adw_about_window_set_application_name (about, _("Convolve"));
  adw_about_window_set_application_icon (about, APP_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_comments (about,
    _("See what a convolution kernel does to a photo, live."));
  adw_about_window_set_developer_name (about, _("The Convolve developers"));
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_artists (about, artists);
  adw_about_window_add_credit_section (about, _("Inspired by"), (const char *[]) {
    _("Stanford CS20, “TensorFlow for Deep Learning Research”, lecture 7: "
      "Convnets in TensorFlow"),
    NULL });
  adw_about_window_add_acknowledgement_section (about, _("Built with"), (const char *[]) {
    "GTK https://gtk.org",
    "libadwaita https://gnome.pages.gitlab.gnome.org/libadwaita/",
    "GLib https://docs.gtk.org/glib/",
    "GdkPixbuf https://docs.gtk.org/gdk-pixbuf/",
    NULL });
  gtk_window_present (GTK_WINDOW (about));
}

static void
show_preferences (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  CvlApplication *self = CVL_APPLICATION (user_data);
  CvlPreferencesWindow *window = cvl_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (window),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (window));
}

static void
quit_app (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Close rather than quit outright, so windows save their state. */
  for (GList *l = g_list_copy (windows); l != NULL; l = g_list_delete_link (l, l))
    gtk_window_close (GTK_WINDOW (l->data));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = show_about },
  { .name = "preferences", .activate = show_preferences },
  { .name = "quit", .activate = quit_app },
};

/* The Auto engine's cost model is measured once per machine (then cached);
 * do it in the background so the first window is not kept waiting. */
static void
calibrate_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;

  if (!cvl_conv_calibrate (cancellable, &error)
      && !g_error_matches (error, CVL_ERROR, CVL_ERROR_CANCELLED))
    g_message ("Could not calibrate the convolution engines: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
cvl_application_startup (GApplication *app)
{
  CvlApplication *self = CVL_APPLICATION (app);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  GAction *preferences;
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (cvl_application_parent_class)->startup (app);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (APP_ID);
  else
    g_message ("GSettings schema %s not found; settings will not be saved", APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  /* Preferences are settings: nothing to show without the schema. */
  if (self->settings != NULL)
    cvl_preferences_follow_threads (self->settings);
  preferences = g_action_map_lookup_action (G_ACTION_MAP (app), "preferences");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (preferences), self->settings != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app),
                                           accels[i].action, accels[i].accels);

  if (!cvl_conv_is_calibrated ())
    {
      g_autoptr (GTask) task = NULL;

      self->calibration = g_cancellable_new ();
      task = g_task_new (NULL, self->calibration, NULL, NULL);
      g_task_run_in_thread (task, calibrate_thread);
    }
}

static void
cvl_application_shutdown (GApplication *app)
{
  CvlApplication *self = CVL_APPLICATION (app);

  g_cancellable_cancel (self->calibration);
  G_APPLICATION_CLASS (cvl_application_parent_class)->shutdown (app);
}

static void
cvl_application_dispose (GObject *object)
{
  CvlApplication *self = CVL_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->calibration);
  G_OBJECT_CLASS (cvl_application_parent_class)->dispose (object);
}

static void
cvl_application_class_init (CvlApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cvl_application_dispose;
  app_class->activate = cvl_application_activate;
  app_class->open = cvl_application_open;
  app_class->startup = cvl_application_startup;
  app_class->shutdown = cvl_application_shutdown;
}

static void
cvl_application_init (CvlApplication *self)
{
}
