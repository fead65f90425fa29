/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the UI tests (see ui-test-util.c). */
#pragma once

#include <gtk/gtk.h>

/* How many times slower than a plain build this one runs: sanitizer test
 * setups set CVL_TEST_LATENCY_SCALE (4 under ASan, 10 under TSan), and time
 * limits in the tests are multiplied by it. 1 when unset. */
int        test_time_scale   (void);
/* Iterates the main loop until done (data) is TRUE; fails after 20 s times
 * test_time_scale (). */
void       wait_until        (gboolean (*done) (gpointer), gpointer data);
GtkWidget *find_widget       (GtkWidget *root, GType type);
/* The widget whose GtkWidget:name is `name`. */
GtkWidget *find_named        (GtkWidget *root, const char *name);
/* A label anywhere below `root` contains `needle` (toasts included). */
gboolean   window_shows_text (GtkWidget *root, const char *needle);
/* A new window (returned with a reference) holding only `child`. Shown and
 * allocated when `present`; otherwise unshown, which still gives `child` the
 * theme's colours and fonts for off-screen drawing. */
GtkWidget *window_with       (GtkWidget *child, int width, int height, gboolean present);
/* Destroys a window_with() window and asserts nothing else holds it. */
void       destroy_window    (GtkWidget *window);
/* The first event controller of `type` on `widget` (for driving handlers). */
GtkEventController *find_controller (GtkWidget *widget, GType type);
