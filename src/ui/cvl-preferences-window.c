/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Preferences: threads, the default convolution engine (the key the Kernels
 * page follows live) and the MNIST folder, checked on a worker before it is
 * stored so a folder without the dataset is refused with the reason. */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-conv.h"
#include "cvl-dataset.h"
#include "cvl-nn.h"
#include "cvl-preferences-window.h"

struct _CvlPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwActionRow *threads_row;
  GtkSpinButton *threads_spin;
  AdwComboRow  *engine_row;
  AdwActionRow *dataset_row;
  GtkLabel     *dataset_error;

  GSettings    *settings;
  GCancellable *check;     /* the folder check in flight, if any */
  gboolean      syncing;
};

G_DEFINE_FINAL_TYPE (CvlPreferencesWindow, cvl_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum { PROP_0, PROP_SETTINGS, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* The engine row's entries, in the order of the Kernels page's menu. */
static const CvlEngine engine_order[] = {
  CVL_ENGINE_AUTO, CVL_ENGINE_DIRECT, CVL_ENGINE_SEPARABLE, CVL_ENGINE_FFT,
};

/* ---- threads ------------------------------------------------------------ */

static void
apply_threads (GSettings  *settings,
               const char *key,
               gpointer    user_data)
{
  int n = g_settings_get_int (settings, "threads");

  cvl_conv_set_threads (n);   /* 0 is "every processor" there */
  cvl_nn_set_threads (n > 0 ? n : (int) g_get_num_processors ());
}

void
cvl_preferences_follow_threads (GSettings *settings)
{
  g_return_if_fail (G_IS_SETTINGS (settings));

  apply_threads (settings, "threads", NULL);
  g_signal_connect (settings, "changed::threads", G_CALLBACK (apply_threads), NULL);
}

static void
update_threads_subtitle (CvlPreferencesWindow *self)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (_("0 uses every processor (%u on this computer)"),
                          g_get_num_processors ());
  adw_action_row_set_subtitle (self->threads_row, text);
}

/* ---- engine ------------------------------------------------------------- */

static void
sync_engine (CvlPreferencesWindow *self)
{
  CvlEngine engine = g_settings_get_enum (self->settings, "engine");

  self->syncing = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (engine_order); i++)
    if (engine_order[i] == engine)
      adw_combo_row_set_selected (self->engine_row, i);
  self->syncing = FALSE;
}

static void
on_engine_selected (AdwComboRow          *row,
                    GParamSpec           *pspec,
                    CvlPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (row);

  if (self->syncing || self->settings == NULL || selected >= G_N_ELEMENTS (engine_order))
    return;
  g_settings_set_enum (self->settings, "engine", engine_order[selected]);
}

/* ---- dataset folder ----------------------------------------------------- */

char *
cvl_preferences_find_dataset (GSettings   *settings,
                              const char  *name,
                              GError     **error)
{
  g_autofree char *folder = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  if (settings != NULL && g_str_equal (name, "mnist"))
    folder = g_settings_get_string (settings, "dataset-folder");
  if (folder != NULL && folder[0] != '\0')
    return g_steal_pointer (&folder);
  return cvl_dataset_find (name, error);
}

static void
sync_dataset (CvlPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "dataset-folder");
  gboolean automatic = folder[0] == '\0';

  if (automatic)
    {
      g_autofree char *found = cvl_dataset_find ("mnist", NULL);
      g_autofree char *text = NULL;

      if (found != NULL)
        text = g_strdup_printf (_("Automatic: %s"), found);
      else
        text = g_strdup (_("Automatic: not found yet"));
      adw_action_row_set_subtitle (self->dataset_row, text);
    }
  else
    adw_action_row_set_subtitle (self->dataset_row, folder);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.reset-dataset", !automatic);
}

static void
show_dataset_error (CvlPreferencesWindow *self,
                    const char           *message)
{
  gtk_label_set_text (self->dataset_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->dataset_error), message != NULL);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_autoptr (CvlDataset) dataset = NULL;
  GError *error = NULL;

  dataset = cvl_dataset_load (task_data, &error);
  if (dataset == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (CvlPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  GTask *task = G_TASK (result);
  const char *dir = g_task_get_task_data (task);

  /* Superseded by a newer choice, or the window closed. */
  if (g_task_get_cancellable (task) != self->check)
    return;
  g_clear_object (&self->check);

  if (!g_task_propagate_boolean (task, &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("No usable MNIST there: %s"), error->message);
      show_dataset_error (self, message);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("That folder does not hold MNIST")));
      return;
    }
  show_dataset_error (self, NULL);
  g_settings_set_string (self->settings, "dataset-folder", dir);
}

void
cvl_preferences_window_set_dataset_folder (CvlPreferencesWindow *self,
                                           const char           *dir)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (CVL_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (dir != NULL);

  g_cancellable_cancel (self->check);
  g_clear_object (&self->check);
  self->check = g_cancellable_new ();
  task = g_task_new (NULL, self->check, check_done, g_object_ref (self));
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, check_thread);
}

gboolean
cvl_preferences_window_is_checking (CvlPreferencesWindow *self)
{
  g_return_val_if_fail (CVL_IS_PREFERENCES_WINDOW (self), FALSE);
  return self->check != NULL;
}

static void
on_folder_chosen (GtkNativeDialog      *dialog,
                  int                   response,
                  CvlPreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL && g_file_peek_path (file) != NULL)
        cvl_preferences_window_set_dataset_folder (self, g_file_peek_path (file));
      else
        show_dataset_error (self, _("Convolve can only read datasets from local folders."));
    }
  g_object_unref (dialog);
}

static void
choose_dataset_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Choose the MNIST Folder"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
reset_dataset_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CvlPreferencesWindow *self = CVL_PREFERENCES_WINDOW (widget);

  g_cancellable_cancel (self->check);
  g_clear_object (&self->check);
  show_dataset_error (self, NULL);
  g_settings_reset (self->settings, "dataset-folder");
}

/* ---- object ------------------------------------------------------------- */

static void
on_settings_changed (GSettings            *settings,
                     const char           *key,
                     CvlPreferencesWindow *self)
{
  if (g_str_equal (key, "engine"))
    sync_engine (self);
  else if (g_str_equal (key, "dataset-folder"))
    sync_dataset (self);
}

static void
cvl_preferences_window_constructed (GObject *object)
{
  CvlPreferencesWindow *self = CVL_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (cvl_preferences_window_parent_class)->constructed (object);

  g_settings_bind (self->settings, "threads",
                   gtk_spin_button_get_adjustment (self->threads_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed),
                           self, 0);
  sync_engine (self);
  sync_dataset (self);
}

CvlPreferencesWindow *
cvl_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  return g_object_new (CVL_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}

GSettings *
cvl_preferences_window_get_settings (CvlPreferencesWindow *self)
{
  g_return_val_if_fail (CVL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->settings;
}

static void
cvl_preferences_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  CvlPreferencesWindow *self = CVL_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  CvlPreferencesWindow *self = CVL_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_preferences_window_dispose (GObject *object)
{
  CvlPreferencesWindow *self = CVL_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->check);
  g_clear_object (&self->check);
  if (self->settings != NULL)
    g_settings_unbind (gtk_spin_button_get_adjustment (self->threads_spin), "value");
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cvl_preferences_window_parent_class)->dispose (object);
}

static void
cvl_preferences_window_class_init (CvlPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cvl_preferences_window_constructed;
  object_class->get_property = cvl_preferences_window_get_property;
  object_class->set_property = cvl_preferences_window_set_property;
  object_class->dispose = cvl_preferences_window_dispose;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/convolve/Convolve/ui/"
                                               "cvl-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CvlPreferencesWindow, threads_row);
  gtk_widget_class_bind_template_child (widget_class, CvlPreferencesWindow, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, CvlPreferencesWindow, engine_row);
  gtk_widget_class_bind_template_child (widget_class, CvlPreferencesWindow, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, CvlPreferencesWindow, dataset_error);
  gtk_widget_class_bind_template_callback (widget_class, on_engine_selected);

  gtk_widget_class_install_action (widget_class, "preferences.choose-dataset", NULL,
                                   choose_dataset_action);
  gtk_widget_class_install_action (widget_class, "preferences.reset-dataset", NULL,
                                   reset_dataset_action);
}

static void
cvl_preferences_window_init (CvlPreferencesWindow *self)
{
  g_autoptr (GtkStringList) engines = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (engine_order); i++)
    gtk_string_list_append (engines, cvl_engine_label (engine_order[i]));
  self->syncing = TRUE;   /* no settings yet: the model's first row is not a choice */
  adw_combo_row_set_model (self->engine_row, G_LIST_MODEL (engines));
  self->syncing = FALSE;
  update_threads_subtitle (self);
}
