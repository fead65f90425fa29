/* SPDX-License-Identifier: GPL-3.0-or-later */
/* File chooser, clipboard and drag-and-drop plumbing shared by the pages.
 * Callbacks hold a reference to the widget while a dialog or a clipboard
 * read is pending, so a page closed meanwhile is never touched freed. */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-image-input.h"
#include "cvl-window.h"

typedef struct
{
  GtkWidget    *widget;
  CvlFileFunc   on_file;
  CvlBytesFunc  on_bytes;
} Request;

static Request *
request_new (GtkWidget    *widget,
             CvlFileFunc   on_file,
             CvlBytesFunc  on_bytes)
{
  Request *request = g_new0 (Request, 1);

  request->widget = g_object_ref (widget);
  request->on_file = on_file;
  request->on_bytes = on_bytes;
  return request;
}

static void
request_free (Request *request)
{
  g_object_unref (request->widget);
  g_free (request);
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  Request         *request)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      request->on_file (request->widget, file);
    }
  request_free (request);
  g_object_unref (dialog);
}

void
cvl_choose_file (GtkWidget   *widget,
                 const char  *title,
                 const char  *suffix,
                 CvlFileFunc  on_file)
{
  GtkFileChooserNative *dialog;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  g_return_if_fail (GTK_IS_WIDGET (widget) && on_file != NULL);

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  if (suffix == NULL)
    {
      gtk_file_filter_set_name (filter, _("Images"));
      gtk_file_filter_add_pixbuf_formats (filter);
    }
  else
    {
      g_autofree char *name = g_strdup_printf (_("%s files"), suffix);

      gtk_file_filter_set_name (filter, name);
      gtk_file_filter_add_suffix (filter, suffix);
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response),
                    request_new (widget, on_file, NULL));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
cvl_choose_save_file (GtkWidget   *widget,
                      const char  *title,
                      const char  *name,
                      CvlFileFunc  on_file)
{
  GtkFileChooserNative *dialog;

  g_return_if_fail (GTK_IS_WIDGET (widget) && on_file != NULL);

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response),
                    request_new (widget, on_file, NULL));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
cvl_choose_folder (GtkWidget   *widget,
                   const char  *title,
                   CvlFileFunc  on_file)
{
  GtkFileChooserNative *dialog;

  g_return_if_fail (GTK_IS_WIDGET (widget) && on_file != NULL);

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response),
                    request_new (widget, on_file, NULL));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
deliver_texture (Request    *request,
                 GdkTexture *texture,
                 const char *name)
{
  g_autoptr (GBytes) png = gdk_texture_save_to_png_bytes (texture);

  request->on_bytes (request->widget, png, name);
}

static void
paste_texture_done (GObject      *object,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object),
                                                                      res, &error);

  if (texture == NULL)
    cvl_toast (request->widget, _("Could not paste: %s"), error->message);
  else
    deliver_texture (request, texture, _("pasted"));
  request_free (request);
}

static void
paste_files_done (GObject      *object,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr (GError) error = NULL;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), res, &error);

  if (value == NULL)
    cvl_toast (request->widget, _("Could not paste: %s"), error->message);
  else if (g_value_get_boxed (value) != NULL)
    request->on_file (request->widget, ((GSList *) g_value_get_boxed (value))->data);
  request_free (request);
}

void
cvl_paste_image (GtkWidget    *widget,
                 CvlFileFunc   on_file,
                 CvlBytesFunc  on_bytes)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE))
    gdk_clipboard_read_texture_async (clipboard, NULL, paste_texture_done,
                                      request_new (widget, on_file, on_bytes));
  else if (on_file != NULL && gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT, NULL,
                                    paste_files_done, request_new (widget, on_file, on_bytes));
  else
    cvl_toast (widget, _("The clipboard holds no image."));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         Request       *request)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) && g_value_get_boxed (value) != NULL)
    {
      request->on_file (request->widget, ((GSList *) g_value_get_boxed (value))->data);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      deliver_texture (request, g_value_get_object (value), _("dropped"));
      return TRUE;
    }
  return FALSE;
}

static void
free_drop_request (gpointer  data,
                   GClosure *closure)
{
  g_free (data);
}

void
cvl_add_drop_target (GtkWidget    *widget,
                     CvlFileFunc   on_file,
                     CvlBytesFunc  on_bytes)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  Request *request = g_new0 (Request, 1);

  /* The target lives as long as the widget: no reference back to it. */
  request->widget = widget;
  request->on_file = on_file;
  request->on_bytes = on_bytes;
  gtk_drop_target_set_gtypes (target, (GType[2]) { GDK_TYPE_FILE_LIST, GDK_TYPE_TEXTURE }, 2);
  g_signal_connect_data (target, "drop", G_CALLBACK (on_drop), request, free_drop_request, 0);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (target));
}
