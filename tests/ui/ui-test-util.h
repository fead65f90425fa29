/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the UI tests (see ui-test-util.c). */
#pragma once

#include <gtk/gtk.h>

/* Iterates the main loop until done (data) is TRUE; fails after 20 s. */
void       wait_until        (gboolean (*done) (gpointer), gpointer data);
GtkWidget *find_widget       (GtkWidget *root, GType type);
/* The widget whose GtkWidget:name is `name`. */
GtkWidget *find_named        (GtkWidget *root, const char *name);
/* A label anywhere below `root` contains `needle` (toasts included). */
gboolean   window_shows_text (GtkWidget *root, const char *needle);
