/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IDX files, MNIST's format (big-endian header: 0x00 0x00 type ndims, then
 * ndims 32-bit sizes, then the data), raw or gzip-compressed, strictly
 * validated before anything is allocated. Only unsigned-byte data (type
 * 0x08) is accepted: that is what MNIST and Fashion-MNIST use. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  int     count;     /* number of images */
  int     rows;      /* 28 for MNIST */
  int     cols;
  guint8 *pixels;    /* [count, rows, cols], 0 = background */
} CvlIdxImages;

typedef struct
{
  int     count;
  guint8 *labels;    /* [count] */
} CvlIdxLabels;

/* `path` may end in .gz (or be gzip data whatever its name). Errors:
 * CVL_ERROR_FORMAT for a wrong magic, type or dimension count, sizes that do
 * not match the file's length (truncated, or a header claiming 2^31 images),
 * CVL_ERROR_IO for unreadable files. */
CvlIdxImages *cvl_idx_load_images (const char          *path,
                                   GError             **error);
CvlIdxLabels *cvl_idx_load_labels (const char          *path,
                                   int                  n_classes,   /* labels must be < n_classes */
                                   GError             **error);
/* Writers (raw, atomically), used by tests to make tiny datasets. */
gboolean      cvl_idx_save_images (const char          *path,
                                   const CvlIdxImages  *images,
                                   GError             **error);
gboolean      cvl_idx_save_labels (const char          *path,
                                   const CvlIdxLabels  *labels,
                                   GError             **error);
void          cvl_idx_images_free (CvlIdxImages        *images);
void          cvl_idx_labels_free (CvlIdxLabels        *labels);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlIdxImages, cvl_idx_images_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlIdxLabels, cvl_idx_labels_free)

G_END_DECLS
