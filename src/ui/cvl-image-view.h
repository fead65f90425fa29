/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shows the original image, the result, or both split by a draggable
 * divider; zoom (Ctrl+scroll, +/−, fit) and pan; crisp pixels when zoomed. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  CVL_VIEW_ORIGINAL,
  CVL_VIEW_SPLIT,
  CVL_VIEW_RESULT,
} CvlViewMode;

#define CVL_TYPE_IMAGE_VIEW (cvl_image_view_get_type ())
G_DECLARE_FINAL_TYPE (CvlImageView, cvl_image_view, CVL, IMAGE_VIEW, GtkWidget)

GtkWidget  *cvl_image_view_new          (void);
/* The original defines the view's coordinates (one unit = one input pixel). */
void        cvl_image_view_set_original (CvlImageView    *self,
                                         cairo_surface_t *surface);
/* The result is drawn with its pixel (0,0) at (origin_x, origin_y) in input
 * coordinates and each pixel scale_x × scale_y input pixels large, so a
 * strided or VALID result lines up with the input it came from. */
void        cvl_image_view_set_result   (CvlImageView    *self,
                                         cairo_surface_t *surface,
                                         double           origin_x,
                                         double           origin_y,
                                         double           scale_x,
                                         double           scale_y);
void        cvl_image_view_set_mode     (CvlImageView    *self,
                                         CvlViewMode      mode);
CvlViewMode cvl_image_view_get_mode     (CvlImageView    *self);
double      cvl_image_view_get_zoom     (CvlImageView    *self);
void        cvl_image_view_set_zoom     (CvlImageView    *self,
                                         double           zoom);
void        cvl_image_view_zoom_in      (CvlImageView    *self);
void        cvl_image_view_zoom_out     (CvlImageView    *self);
void        cvl_image_view_zoom_fit     (CvlImageView    *self);
gboolean    cvl_image_view_get_fit      (CvlImageView    *self);
double      cvl_image_view_get_split    (CvlImageView    *self);
void        cvl_image_view_set_split    (CvlImageView    *self,
                                         double           split);
/* Widget coordinates to input-image coordinates. */
void        cvl_image_view_to_image     (CvlImageView    *self,
                                         double           wx,
                                         double           wy,
                                         double          *ix,
                                         double          *iy);
/* Outlines a rectangle of input pixels (the kernel's footprint); a width
 * of 0 removes it. */
void        cvl_image_view_set_highlight (CvlImageView   *self,
                                          double          x,
                                          double          y,
                                          double          width,
                                          double          height);
void        cvl_image_view_to_widget    (CvlImageView    *self,
                                         double           ix,
                                         double           iy,
                                         double          *wx,
                                         double          *wy);

G_END_DECLS
