/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the bundled lecture model is, for the app and the CLI alike: one
 * search order instead of a copy in each. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first existing file of: the model relative to the running binary
 * (`meson install` layout, so a relocated or DESTDIR install finds its own
 * copy), beside the sources (uninstalled runs), then the configured install
 * path. NULL with an error naming the places looked at. */
char *cvl_bundled_model_find (GError **error);

G_END_DECLS
