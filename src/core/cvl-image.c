/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Float32 planar images: aligned, overflow-checked allocation that can be
 * reused across calls, and conversions from 8-bit RGBA and to luma. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "cvl-error.h"
#include "cvl-image-private.h"

#define SMALL_ALIGNMENT 64
/* Buffers this big are aligned to a huge page and advised to use them: one
 * fault per 2 MiB instead of one per 4 KiB (glibc maps them fresh anyway). */
#define HUGE_THRESHOLD  ((gsize) 32 << 20)
#define HUGE_ALIGNMENT  ((gsize) 2 << 20)

static gboolean
check_size (int       width,
            int       height,
            int       channels,
            gsize    *n_floats,
            GError  **error)
{
  gsize pixels, floats, bytes;

  if (width < 1 || height < 1 || channels < 1 || channels > 4)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "An image of %d×%d pixels with %d channels is not possible",
                   width, height, channels);
      return FALSE;
    }

  if (!g_size_checked_mul (&pixels, (gsize) width, (gsize) height) ||
      pixels > CVL_IMAGE_MAX_PIXELS ||
      !g_size_checked_mul (&floats, pixels, (gsize) channels) ||
      !g_size_checked_mul (&bytes, floats, sizeof (float)))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "An image of %d×%d pixels is too large (at most %"
                   G_GUINT64_FORMAT " megapixels)",
                   width, height, CVL_IMAGE_MAX_PIXELS >> 20);
      return FALSE;
    }

  *n_floats = floats;
  return TRUE;
}

float *
cvl_alloc_floats (gsize       n_floats,
                  gsize       huge_from,
                  const char *what,
                  GError    **error)
{
  gsize bytes = n_floats * sizeof (float);
  gsize alignment = bytes >= huge_from ? HUGE_ALIGNMENT : SMALL_ALIGNMENT;
  void *data = NULL;

  /* Round up so a huge-page buffer ends on a huge-page boundary too. */
  bytes = (bytes + alignment - 1) & ~(alignment - 1);
  if (posix_memalign (&data, alignment, bytes) != 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "Not enough memory for %s of %" G_GSIZE_FORMAT " MiB", what, bytes >> 20);
      return NULL;
    }

#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (alignment == HUGE_ALIGNMENT)
    madvise (data, bytes, MADV_HUGEPAGE);
#endif

  return data;
}

static float *
alloc_floats (gsize    n_floats,
              GError **error)
{
  return cvl_alloc_floats (n_floats, HUGE_THRESHOLD, "an image", error);
}

CvlImage *
cvl_image_new (int      width,
               int      height,
               int      channels,
               GError **error)
{
  CvlImage *image = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!cvl_image_ensure (&image, width, height, channels, error))
    return NULL;

  return image;
}

void
cvl_image_free (CvlImage *image)
{
  if (image == NULL)
    return;

  free (image->data);
  g_free (image);
}

CvlImage *
cvl_image_copy (const CvlImage *image)
{
  CvlImage *copy;

  g_return_val_if_fail (image != NULL, NULL);

  copy = cvl_image_new (image->width, image->height, image->channels, NULL);
  if (copy != NULL)
    memcpy (copy->data, image->data,
            (gsize) image->width * image->height * image->channels * sizeof (float));

  return copy;
}

gboolean
cvl_image_ensure (CvlImage **image,
                  int        width,
                  int        height,
                  int        channels,
                  GError   **error)
{
  CvlImage *img;
  gsize n_floats;

  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_size (width, height, channels, &n_floats, error))
    return FALSE;

  img = *image != NULL ? *image : g_new0 (CvlImage, 1);

  if (img->capacity < n_floats)
    {
      float *data = alloc_floats (n_floats, error);

      if (data == NULL)
        {
          if (img != *image)
            g_free (img);
          return FALSE;
        }

      free (img->data);
      img->data = data;
      img->capacity = n_floats;
    }

  img->width = width;
  img->height = height;
  img->channels = channels;
  *image = img;

  return TRUE;
}

CvlImage *
cvl_image_new_from_rgba8 (const guint8 *pixels,
                          int           width,
                          int           height,
                          gsize         stride,
                          gboolean      keep_alpha,
                          GError      **error)
{
  g_autoptr(CvlImage) image = NULL;
  gboolean with_alpha = FALSE;
  float to_float[256];
  gsize plane;

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (width < 1 || stride >= (gsize) width * 4, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (keep_alpha)
    {
      for (int y = 0; y < height && !with_alpha; y++)
        {
          const guint8 *row = pixels + (gsize) y * stride;

          for (int x = 0; x < width; x++)
            if (row[4 * x + 3] != 255)
              {
                with_alpha = TRUE;
                break;
              }
        }
    }

  image = cvl_image_new (width, height, with_alpha ? 4 : 3, error);
  if (image == NULL)
    return NULL;

  for (int i = 0; i < 256; i++)
    to_float[i] = i / 255.0f;

  plane = (gsize) width * height;
  for (int y = 0; y < height; y++)
    {
      const guint8 *row = pixels + (gsize) y * stride;
      float *dst = image->data + (gsize) y * width;

      for (int c = 0; c < image->channels; c++)
        for (int x = 0; x < width; x++)
          dst[c * plane + x] = to_float[row[4 * x + c]];
    }

  return g_steal_pointer (&image);
}

void
cvl_image_luma_into (const CvlImage *image,
                     CvlImage       *luma)
{
  gsize n = (gsize) image->width * image->height;
  const float *r = cvl_image_plane (image, 0);
  const float *g = cvl_image_plane (image, 1);
  const float *b = cvl_image_plane (image, 2);
  float *dst = luma->data;

  g_assert (image->channels >= 3);
  g_assert (luma->width == image->width && luma->height == image->height);

  for (gsize i = 0; i < n; i++)
    dst[i] = 0.2989f * r[i] + 0.5870f * g[i] + 0.1140f * b[i];
}

CvlImage *
cvl_image_to_luma (const CvlImage *image)
{
  CvlImage *luma;

  g_return_val_if_fail (image != NULL, NULL);

  if (image->channels < 3)
    return cvl_image_copy (image);

  luma = cvl_image_new (image->width, image->height, 1, NULL);
  if (luma != NULL)
    cvl_image_luma_into (image, luma);

  return luma;
}

/* One spare buffer is enough: scratch images are needed one per call, and a
 * second concurrent caller simply allocates its own. */
static GMutex scratch_lock;
static CvlImage *scratch_spare;

CvlImage *
cvl_image_take_scratch (int      width,
                        int      height,
                        int      channels,
                        GError **error)
{
  CvlImage *image;

  g_mutex_lock (&scratch_lock);
  image = g_steal_pointer (&scratch_spare);
  g_mutex_unlock (&scratch_lock);

  if (!cvl_image_ensure (&image, width, height, channels, error))
    {
      cvl_image_free (image);
      return NULL;
    }

  return image;
}

void
cvl_image_give_scratch (CvlImage *image)
{
  if (image == NULL)
    return;

  g_mutex_lock (&scratch_lock);
  if (scratch_spare == NULL || scratch_spare->capacity < image->capacity)
    {
      CvlImage *tmp = scratch_spare;

      scratch_spare = image;
      image = tmp;
    }
  g_mutex_unlock (&scratch_lock);

  cvl_image_free (image);
}
