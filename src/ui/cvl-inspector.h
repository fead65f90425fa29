/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pixel inspector: the input neighbourhood under the kernel for the result
 * pixel under the pointer, each tap's product, and their sum. */
#pragma once

#include <gtk/gtk.h>

#include "cvl-inspect.h"

G_BEGIN_DECLS

#define CVL_TYPE_INSPECTOR (cvl_inspector_get_type ())
G_DECLARE_FINAL_TYPE (CvlInspector, cvl_inspector, CVL, INSPECTOR, GtkWidget)

GtkWidget *cvl_inspector_new            (void);
/* NULL clears the inspector. */
void       cvl_inspector_set_inspection (CvlInspector        *self,
                                         const CvlInspection *inspection);
gboolean   cvl_inspector_has_inspection (CvlInspector        *self);
/* Draws the table into `cr` (width × height); used by snapshot and tests. */
void       cvl_inspector_draw           (CvlInspector        *self,
                                         cairo_t             *cr,
                                         int                  width,
                                         int                  height);

G_END_DECLS
