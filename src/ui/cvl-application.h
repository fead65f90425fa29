/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The AdwApplication of Convolve: app-wide actions, accelerators, settings. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CVL_TYPE_APPLICATION (cvl_application_get_type ())
G_DECLARE_FINAL_TYPE (CvlApplication, cvl_application, CVL, APPLICATION, AdwApplication)

CvlApplication *cvl_application_new          (void);
/* NULL when the schema is not installed (the app then runs without
 * persisting anything). */
GSettings      *cvl_application_get_settings (CvlApplication *self);

G_END_DECLS
