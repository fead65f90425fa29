/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window: header bar, view switcher over the pages, toasts. */
#pragma once

#include <adwaita.h>

#include "cvl-application.h"

G_BEGIN_DECLS

#define CVL_TYPE_WINDOW (cvl_window_get_type ())
G_DECLARE_FINAL_TYPE (CvlWindow, cvl_window, CVL, WINDOW, AdwApplicationWindow)

CvlWindow *cvl_window_new       (CvlApplication *application);
void       cvl_window_open_file (CvlWindow      *self,
                                 GFile          *file);

/* Shows a toast in the window that holds `widget`; does nothing if the
 * widget is not in a Convolve window (e.g. in tests). */
void       cvl_toast            (GtkWidget      *widget,
                                 const char     *format,
                                 ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
