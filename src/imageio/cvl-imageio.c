/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Image files in and out through GdkPixbuf. Loading goes through a
 * GdkPixbufLoader so a size can be refused from the header, before any pixel
 * is decoded; saving writes a temporary file and renames it into place. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "cvl-error.h"
#include "cvl-imageio.h"
#include "cvl-map.h"

/* Small enough that a refused header stops the work after one chunk. */
#define FEED_CHUNK (64 * 1024)

typedef struct
{
  const char *name;
  GError     *error;   /* set when size-prepared refuses the header */
} LoadState;

static gboolean
check_size (const char  *name,
            int          width,
            int          height,
            GError     **error)
{
  guint64 pixels = (guint64) MAX (width, 0) * MAX (height, 0);

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” claims to be %d × %d pixels", name, width, height);
      return FALSE;
    }
  if (width > CVL_IMAGEIO_MAX_SIDE || height > CVL_IMAGEIO_MAX_SIDE)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "“%s” is %d × %d pixels; the largest Convolve opens is %d pixels a side",
                   name, width, height, CVL_IMAGEIO_MAX_SIDE);
      return FALSE;
    }
  if (pixels > CVL_IMAGEIO_MAX_PIXELS)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "“%s” is %d × %d pixels (%.0f million); the largest Convolve opens has %.0f million",
                   name, width, height, pixels / 1e6, CVL_IMAGEIO_MAX_PIXELS / 1e6);
      return FALSE;
    }
  return TRUE;
}

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  LoadState *state = user_data;

  /* A 0×0 request makes every decoder stop before it allocates the pixels,
   * which is how gdk_pixbuf_get_file_info() reads a header too. */
  if (state->error == NULL && !check_size (state->name, width, height, &state->error))
    gdk_pixbuf_loader_set_size (loader, 0, 0);
}

/* GdkPixbuf's incremental decoders hand back a partly grey image, and no
 * error, when PNG or JPEG data stops early. Walking the file's structure to
 * its end marker catches that before decoding. */
static gboolean
png_is_complete (const guint8 *data,
                 gsize         length)
{
  gsize at = 8;   /* after the signature */

  while (length - at >= 12)
    {
      guint32 chunk_length;

      memcpy (&chunk_length, data + at, 4);
      chunk_length = GUINT32_FROM_BE (chunk_length);
      if (memcmp (data + at + 4, "IEND", 4) == 0)
        return TRUE;
      if (chunk_length > G_MAXINT32 || chunk_length > length - at - 12)
        return FALSE;
      at += 12 + chunk_length;   /* length, type, data, CRC */
    }
  return FALSE;
}

/* Marker segments up to EOI. Each scan (SOS) is followed by entropy-coded
 * data that ends at the first FF not followed by 00 (a stuffed byte) or by a
 * restart marker. Stray bytes between segments are skipped, as libjpeg does. */
static gboolean
jpeg_is_complete (const guint8 *data,
                  gsize         length)
{
  gsize at = 2;   /* after SOI */

  while (at + 1 < length)
    {
      guint8 marker = data[at + 1];
      gsize segment;

      if (data[at] != 0xff || marker == 0xff)
        {
          at++;
          continue;
        }
      if (marker == 0xd9)   /* EOI */
        return TRUE;
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8))
        {
          at += 2;   /* standalone markers carry no length */
          continue;
        }
      if (length - at < 4)
        return FALSE;
      segment = (gsize) data[at + 2] << 8 | data[at + 3];
      if (segment < 2 || segment > length - at - 2)
        return FALSE;
      at += 2 + segment;

      if (marker == 0xda)   /* SOS */
        while (at + 1 < length
               && !(data[at] == 0xff && data[at + 1] != 0x00
                    && (data[at + 1] < 0xd0 || data[at + 1] > 0xd7)))
          at++;
    }
  return FALSE;
}

static gboolean
is_complete (const guint8 *data,
             gsize         length)
{
  static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 jpeg_signature[3] = { 0xff, 0xd8, 0xff };

  if (length >= sizeof png_signature && memcmp (data, png_signature, sizeof png_signature) == 0)
    return png_is_complete (data, length);
  if (length >= sizeof jpeg_signature && memcmp (data, jpeg_signature, sizeof jpeg_signature) == 0)
    return jpeg_is_complete (data, length);
  return TRUE;   /* other formats: as far as their decoders check */
}

/* Turns GdkPixbuf's wording into one sentence that names the file. */
static void
set_decode_error (GError     **error,
                  const char  *name,
                  GError      *pixbuf_error)
{
  if (g_error_matches (pixbuf_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
    g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                 "“%s” is not an image GdkPixbuf can read", name);
  else if (g_error_matches (pixbuf_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY))
    g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                 "Not enough memory to open “%s”", name);
  else
    g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                 "“%s” is damaged or truncated (%s)", name,
                 pixbuf_error != NULL ? pixbuf_error->message : "no image in it");
}

/* 8-bit RGB or RGBA, any row stride, to planar floats. Alpha is kept only
 * when some pixel is not opaque (cvl_image_new_from_rgba8 decides that). */
static CvlImage *
image_from_pixbuf (GdkPixbuf  *pixbuf,
                   GError    **error)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  g_autoptr(CvlImage) image = NULL;

  g_assert (gdk_pixbuf_get_bits_per_sample (pixbuf) == 8);

  if (gdk_pixbuf_get_has_alpha (pixbuf))
    return cvl_image_new_from_rgba8 (pixels, width, height, stride, TRUE, error);

  g_assert (gdk_pixbuf_get_n_channels (pixbuf) == 3);
  image = cvl_image_new (width, height, 3, error);
  if (image == NULL)
    return NULL;

  for (int c = 0; c < 3; c++)
    {
      float *plane = cvl_image_plane (image, c);

      for (int y = 0; y < height; y++)
        {
          const guint8 *row = pixels + y * stride + c;
          float *out = plane + (gsize) y * width;

          for (int x = 0; x < width; x++)
            out[x] = row[3 * x] / 255.0f;
        }
    }
  return g_steal_pointer (&image);
}

CvlImage *
cvl_imageio_load_bytes (GBytes      *bytes,
                        const char  *display_name,
                        GError     **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autoptr(GError) pixbuf_error = NULL;
  LoadState state = { display_name, NULL };
  const guint8 *data;
  gsize length;
  gboolean ok = TRUE;
  GdkPixbuf *pixbuf;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &length);
  if (length == 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT, "“%s” is empty", display_name);
      return NULL;
    }
  if (!is_complete (data, length))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "“%s” is damaged or truncated", display_name);
      return NULL;
    }

  loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &state);

  for (gsize at = 0; ok && at < length && state.error == NULL; at += FEED_CHUNK)
    ok = gdk_pixbuf_loader_write (loader, data + at, MIN (FEED_CHUNK, length - at),
                                  &pixbuf_error);
  /* A failed write has closed the loader already; closing again is a no-op. */
  if (ok)
    ok = gdk_pixbuf_loader_close (loader, state.error ? NULL : &pixbuf_error);
  else
    gdk_pixbuf_loader_close (loader, NULL);

  if (state.error != NULL)
    {
      g_propagate_error (error, state.error);
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (!ok || pixbuf == NULL)
    {
      set_decode_error (error, display_name, pixbuf_error);
      return NULL;
    }

  /* Again on the result, for a decoder that never announced its size. */
  if (!check_size (display_name, gdk_pixbuf_get_width (pixbuf),
                   gdk_pixbuf_get_height (pixbuf), error))
    return NULL;

  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  if (oriented == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "Not enough memory to open “%s”", display_name);
      return NULL;
    }
  return image_from_pixbuf (oriented, error);
}

static void
set_file_error (GError     **error,
                const char  *what,
                const char  *name,
                int          saved_errno)
{
  g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not %s “%s”: %s",
               what, name, g_strerror (saved_errno));
}

CvlImage *
cvl_imageio_load (const char  *path,
                  GError     **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_filename_display_basename (path);
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_file_error (error, "open", name, errno);
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      set_file_error (error, "read", name, errno);
      g_close (fd, NULL);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO,
                   S_ISDIR (st.st_mode) ? "“%s” is a folder, not an image"
                                        : "“%s” is not a regular file", name);
      g_close (fd, NULL);
      return NULL;
    }

  /* Mapped, not read: the loader sees the file a chunk at a time and a
   * refused header costs nothing more. */
  mapped = g_mapped_file_new_from_fd (fd, FALSE, NULL);
  if (mapped == NULL)
    {
      set_file_error (error, "read", name, errno);
      g_close (fd, NULL);
      return NULL;
    }
  g_close (fd, NULL);

  bytes = g_mapped_file_get_bytes (mapped);
  return cvl_imageio_load_bytes (bytes, name, error);
}

static void
free_pixels (guchar   *pixels,
             gpointer  user_data)
{
  g_free (pixels);
}

/* The mapped pixels as a pixbuf: RGBA when there is alpha, RGB otherwise. */
static GdkPixbuf *
pixbuf_from_values (const CvlImage  *values,
                    const CvlImage  *alpha,
                    CvlMap           map,
                    GError         **error)
{
  int width = values->width;
  int height = values->height;
  gsize stride = (gsize) width * 4;
  guint8 *pixels = g_try_malloc (stride * height);

  if (pixels == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "Not enough memory for a %d × %d PNG", width, height);
      return NULL;
    }
  cvl_map_to_rgba8 (values, alpha, map, pixels, stride);

  if (alpha == NULL)
    {
      /* Packs RGBA into RGB in place: every byte lands at or before the
       * byte it comes from, which has been read by then. */
      for (gsize i = 0, n = (gsize) width * height; i < n; i++)
        for (int k = 0; k < 3; k++)
          pixels[3 * i + k] = pixels[4 * i + k];
      stride = (gsize) width * 3;
    }

  return gdk_pixbuf_new_from_data (pixels, GDK_COLORSPACE_RGB, alpha != NULL, 8,
                                   width, height, stride, free_pixels, NULL);
}

GBytes *
cvl_imageio_png_bytes (const CvlImage  *values,
                       const CvlImage  *alpha,
                       CvlMap           map,
                       GError         **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) pixbuf_error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  g_return_val_if_fail (values != NULL, NULL);
  g_return_val_if_fail (values->channels == 1 || values->channels == 3, NULL);
  g_return_val_if_fail (alpha == NULL || (alpha->channels == 1 &&
                                          alpha->width == values->width &&
                                          alpha->height == values->height), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pixbuf = pixbuf_from_values (values, alpha, map, error);
  if (pixbuf == NULL)
    return NULL;
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &pixbuf_error, NULL))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO,
                   "Could not encode the PNG: %s", pixbuf_error->message);
      return NULL;
    }
  return g_bytes_new_take (buffer, size);
}

static gboolean
write_all (int            fd,
           const guint8  *data,
           gsize          length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0)
        errno = ENOSPC;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

gboolean
cvl_imageio_save_png (const CvlImage  *values,
                      const CvlImage  *alpha,
                      CvlMap           map,
                      const char      *path,
                      GError         **error)
{
  g_autoptr(GBytes) png = NULL;
  g_autofree char *name = NULL;
  g_autofree char *tmp_path = NULL;
  const guint8 *data;
  gsize length;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  png = cvl_imageio_png_bytes (values, alpha, map, error);
  if (png == NULL)
    return FALSE;
  data = g_bytes_get_data (png, &length);

  /* Same folder as the target so the rename stays on one file system and
   * replaces the old file in one step; an old file survives any failure. */
  name = g_filename_display_basename (path);
  tmp_path = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      set_file_error (error, "save", name, errno);
      return FALSE;
    }

  if (!write_all (fd, data, length) || fsync (fd) != 0)
    {
      int saved_errno = errno;

      g_close (fd, NULL);
      g_unlink (tmp_path);
      set_file_error (error, "save", name, saved_errno);
      return FALSE;
    }
  if (!g_close (fd, NULL) || g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      set_file_error (error, "save", name, saved_errno);
      return FALSE;
    }
  return TRUE;
}
