/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Safetensors files (the format of Hugging Face's `safetensors` package):
 * an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. Only F32 is
 * written or read; every length and offset is checked against the file's
 * size before anything is allocated. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CVL_SAFETENSORS_MAX_DIMS   8
/* A header larger than this is refused (the format's own limit is 100 MB). */
#define CVL_SAFETENSORS_MAX_HEADER (100u << 20)

typedef struct
{
  const char  *name;
  int          n_dims;
  gint64       shape[CVL_SAFETENSORS_MAX_DIMS];
  const float *data;
} CvlSafetensorsEntry;

/* The whole file in memory; `metadata` (char* → char*) may be NULL. Keys
 * are written sorted, as the Python package does. */
GBytes   *cvl_safetensors_serialize (const CvlSafetensorsEntry *entries,
                                     guint                      n_entries,
                                     GHashTable                *metadata);
/* Written to a temporary file beside `path`, then renamed over it. */
gboolean  cvl_safetensors_save      (const char                *path,
                                     const CvlSafetensorsEntry *entries,
                                     guint                      n_entries,
                                     GHashTable                *metadata,
                                     GError                   **error);

typedef struct _CvlSafetensors CvlSafetensors;

/* Parses and validates the header (JSON syntax, dtype F32, shapes, offsets
 * in range and not overlapping); keeps a reference to `bytes`. */
CvlSafetensors *cvl_safetensors_parse    (GBytes          *bytes,
                                          GError         **error);
void            cvl_safetensors_free     (CvlSafetensors  *st);
/* Copies tensor `name` into `dest` after checking that its shape is exactly
 * `shape`; errors name the tensor and both shapes. */
gboolean        cvl_safetensors_read     (CvlSafetensors  *st,
                                          const char      *name,
                                          int              n_dims,
                                          const gint64    *shape,
                                          float           *dest,
                                          GError         **error);
gboolean        cvl_safetensors_has      (CvlSafetensors  *st,
                                          const char      *name);
/* "__metadata__" (char* → char*), never NULL; owned by `st`. */
GHashTable     *cvl_safetensors_get_metadata (CvlSafetensors *st);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlSafetensors, cvl_safetensors_free)

G_END_DECLS
