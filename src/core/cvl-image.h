/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Float32 planar images, the one pixel format the engine works on.
 * Layout: data[c * height * width + y * width + x], values nominally in [0,1]. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Largest image the engine accepts: 2^28 pixels (16384×16384), per channel. */
#define CVL_IMAGE_MAX_PIXELS (G_GUINT64_CONSTANT (1) << 28)

typedef struct
{
  int    width;
  int    height;
  int    channels;   /* 1..4 */
  float *data;       /* [channels, height, width], 64-byte aligned */
  gsize  capacity;   /* floats allocated; lets cvl_image_ensure() reuse memory */
} CvlImage;

CvlImage *cvl_image_new          (int             width,
                                  int             height,
                                  int             channels,
                                  GError        **error);
void      cvl_image_free         (CvlImage       *image);
/* cvl_image_copy() and cvl_image_to_luma() return NULL only when memory runs out. */
CvlImage *cvl_image_copy         (const CvlImage *image);
/* Resize *image to width×height×channels, reusing its buffer when it is big
 * enough (large buffers are expensive to fault in, see bench/README). Creates
 * the image when *image is NULL. Contents are undefined afterwards. */
gboolean  cvl_image_ensure       (CvlImage      **image,
                                  int             width,
                                  int             height,
                                  int             channels,
                                  GError        **error);
static inline float *
cvl_image_plane (const CvlImage *image, int c)
{
  return image->data + (gsize) c * image->width * image->height;
}

/* 8-bit RGBA (row stride in bytes) to floats v/255. keep_alpha=FALSE or an
 * opaque input gives 3 channels, else 4 (the 4th is alpha). */
CvlImage *cvl_image_new_from_rgba8 (const guint8  *pixels,
                                    int            width,
                                    int            height,
                                    gsize          stride,
                                    gboolean       keep_alpha,
                                    GError       **error);
/* Luma with tf.image.rgb_to_grayscale's weights (0.2989, 0.5870, 0.1140) of
 * the first three channels; a 1- or 2-channel image is copied as is. */
CvlImage *cvl_image_to_luma      (const CvlImage *image);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlImage, cvl_image_free)

G_END_DECLS
