/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Getting a file or a picture from the user, the same way on every page:
 * a file chooser, the clipboard, and drag and drop. Pictures that arrive as
 * textures are re-encoded as PNG so they go through the same validated
 * loader as files. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*CvlFileFunc)  (GtkWidget  *widget,
                              GFile      *file);
typedef void (*CvlBytesFunc) (GtkWidget  *widget,
                              GBytes     *png,
                              const char *name);

/* A modal "Open" chooser over widget's window; `suffix` limits it to files
 * ending so ("safetensors"), NULL to the image formats GdkPixbuf reads.
 * on_file runs only when the user picks a file. */
void cvl_choose_file     (GtkWidget    *widget,
                          const char   *title,
                          const char   *suffix,
                          CvlFileFunc   on_file);
/* A modal "Save" chooser proposing `name`; on_file gets the chosen file. */
void cvl_choose_save_file (GtkWidget   *widget,
                           const char  *title,
                           const char  *name,
                           CvlFileFunc  on_file);
/* A modal folder chooser. */
void cvl_choose_folder   (GtkWidget    *widget,
                          const char   *title,
                          CvlFileFunc   on_file);
/* The clipboard's image (or, with on_file, its first file); a toast says
 * so when it holds neither. */
void cvl_paste_image     (GtkWidget    *widget,
                          CvlFileFunc   on_file,
                          CvlBytesFunc  on_bytes);
/* Accepts dropped files and images on `widget`. */
void cvl_add_drop_target (GtkWidget    *widget,
                          CvlFileFunc   on_file,
                          CvlBytesFunc  on_bytes);

G_END_DECLS
