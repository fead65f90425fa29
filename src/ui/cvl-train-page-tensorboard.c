/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Train page's "Write TensorBoard logs" switch: a run started with it on
 * gets an event file in <folder>/<date-time>/, fed from the frame callback's
 * drain through a writer thread (cvl-train-events.c, shared with the CLI),
 * so the main thread only copies the step and epoch records. */
#include "config.h"

#define G_LOG_DOMAIN "Convolve"

#include <glib/gi18n.h>

#include "cvl-image-input.h"
#include "cvl-net-train.h"
#include "cvl-train-page-private.h"
#include "cvl-window.h"

static char *
tensorboard_root (CvlTrainPage *self)
{
  if (self->tensorboard_root != NULL)
    return g_strdup (self->tensorboard_root);
  return g_build_filename (g_get_user_data_dir (), "convolve", "runs", NULL);
}

static void
show_folder (CvlTrainPage *self)
{
  g_autofree char *root = tensorboard_root (self);
  g_autofree char *text = NULL;

  if (self->tensorboard != NULL)
    text = g_strdup_printf (_("Writing %s"), cvl_train_events_get_path (self->tensorboard));
  else
    /* Translators: %s is a folder; each run gets a folder named by its start time */
    text = g_strdup_printf (_("Loss and accuracy per step, metrics and conv1 filters per epoch, "
                              "in %s/‹date-time›"), root);
  adw_action_row_set_subtitle (self->tensorboard_row, text);
}

void
cvl_train_page_set_tensorboard_folder (CvlTrainPage *self,
                                       const char   *dir)
{
  g_return_if_fail (CVL_IS_TRAIN_PAGE (self));

  g_free (self->tensorboard_root);
  self->tensorboard_root = g_strdup (dir);
  show_folder (self);
}

const char *
cvl_train_page_get_tensorboard_path (CvlTrainPage *self)
{
  g_return_val_if_fail (CVL_IS_TRAIN_PAGE (self), NULL);
  return self->tensorboard != NULL ? cvl_train_events_get_path (self->tensorboard) : NULL;
}

gboolean
cvl_train_page_tensorboard_open (CvlTrainPage *self,
                                 GError      **error)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *root = NULL, *stamp = NULL, *dir = NULL;

  if (!gtk_switch_get_active (self->tensorboard_switch))
    {
      cvl_train_page_tensorboard_close (self);
      return TRUE;
    }
  if (self->tensorboard != NULL)
    return TRUE;   /* a run continued: same file, steps go on */
  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%Y-%m-%d_%H-%M-%S");
  root = tensorboard_root (self);
  dir = g_build_filename (root, stamp, NULL);
  /* One mkdir and a 40-byte first record: the only write on this thread. */
  self->tensorboard = cvl_train_events_new (dir, error);
  if (self->tensorboard == NULL)
    {
      g_prefix_error (error, _("Cannot write TensorBoard logs: "));
      return FALSE;
    }
  g_array_set_size (self->tensorboard_epochs, 0);
  show_folder (self);
  return TRUE;
}

void
cvl_train_page_tensorboard_drain (CvlTrainPage           *self,
                                  const CvlTrainerUpdate *update,
                                  gboolean                fresh,
                                  gboolean                ended)
{
  g_autoptr(GError) error = NULL;
  const float *conv1 = NULL;

  if (self->tensorboard == NULL)
    return;
  if (update->epochs != NULL)
    g_array_append_vals (self->tensorboard_epochs, update->epochs->data, update->epochs->len);
  /* The trainer publishes weights right after each epoch: the first
   * snapshot drained with or after it gives the epoch's filters. */
  if (self->tensorboard_epochs->len > 0 && (fresh || ended) && self->net != NULL)
    conv1 = cvl_net_get_tensor (cvl_net_ref_get_net (self->net), "conv1.weight");
  cvl_train_events_push (self->tensorboard, update->steps,
                         conv1 != NULL ? self->tensorboard_epochs : NULL, conv1);
  if (conv1 != NULL)
    g_array_set_size (self->tensorboard_epochs, 0);
  if (!cvl_train_events_check (self->tensorboard, &error))
    {
      cvl_toast (GTK_WIDGET (self), _("TensorBoard logs stopped: %s"), error->message);
      cvl_train_page_tensorboard_close (self);
    }
}

/* Joins the writer: it has at most a few frames of records left to write. */
void
cvl_train_page_tensorboard_close (CvlTrainPage *self)
{
  if (self->tensorboard == NULL)
    return;
  g_clear_pointer (&self->tensorboard, cvl_train_events_free);
  g_array_set_size (self->tensorboard_epochs, 0);
  show_folder (self);
}

static void
folder_chosen (GtkWidget *widget,
               GFile     *file)
{
  if (g_file_peek_path (file) == NULL)
    {
      cvl_toast (widget, _("Convolve can only write to local folders."));
      return;
    }
  cvl_train_page_set_tensorboard_folder (CVL_TRAIN_PAGE (widget), g_file_peek_path (file));
}

static void
tensorboard_folder_action (GtkWidget  *widget,
                           const char *action,
                           GVariant   *param)
{
  cvl_choose_folder (widget, _("Choose the Folder for TensorBoard Logs"), folder_chosen);
}

void
cvl_train_page_tensorboard_init (CvlTrainPage *self)
{
  self->tensorboard_epochs = g_array_new (FALSE, FALSE, sizeof (CvlEpochRecord));
  show_folder (self);
}

void
cvl_train_page_tensorboard_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "train.tensorboard-folder", NULL,
                                   tensorboard_folder_action);
}
