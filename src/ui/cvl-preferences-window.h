/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Preferences window (threads, default convolution engine, MNIST folder)
 * and the two things the rest of the app asks of those settings. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CVL_TYPE_PREFERENCES_WINDOW (cvl_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CvlPreferencesWindow, cvl_preferences_window, CVL, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

CvlPreferencesWindow *cvl_preferences_window_new (GSettings *settings);
GSettings *cvl_preferences_window_get_settings   (CvlPreferencesWindow *self);

/* Checks `dir` on a worker (the four IDX files load and agree) and stores it
 * in `dataset-folder` only if it holds a dataset; otherwise the window says
 * why and the setting stays. The folder chooser ends here too. */
void       cvl_preferences_window_set_dataset_folder (CvlPreferencesWindow *self,
                                                      const char           *dir);
/* TRUE while a folder is being checked (for tests). */
gboolean   cvl_preferences_window_is_checking  (CvlPreferencesWindow *self);

/* Applies `threads` to the convolution engines and the network now and on
 * every change, for as long as `settings` lives. */
void       cvl_preferences_follow_threads (GSettings *settings);

/* The folder MNIST is read from: `dataset-folder` when set, else where
 * cvl_dataset_find looks. Other datasets ("fashion") are always looked up
 * automatically. */
char      *cvl_preferences_find_dataset   (GSettings   *settings,
                                           const char  *name,
                                           GError     **error);

G_END_DECLS
