/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A convolution kernel: a height×width grid of weights plus GIMP-style divisor
 * and offset. The effective operation is out = Σ w·x / divisor + offset. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CVL_KERNEL_MAX_SIZE 255   /* largest side the core accepts */
#define CVL_KERNEL_MAX_EDIT 9     /* largest side the cell grid edits */

typedef struct
{
  int    width;
  int    height;
  float *values;     /* [height, width], row-major */
  float  divisor;    /* never 0, never NaN */
  float  offset;     /* added after dividing, in image units ([0,1] scale) */
} CvlKernel;

/* How a result with values outside [0,1] is turned into pixels. */
typedef enum
{
  CVL_MAP_CLAMP,
  CVL_MAP_ABS,
  CVL_MAP_NORMALIZE,
  CVL_MAP_SIGNED,
} CvlMap;

typedef struct
{
  const char *id;          /* stable name used by the CLI and GSettings: "sharpen" */
  const char *label;       /* human name, translatable: "Sharpen" */
  const char *description; /* one sentence for a tooltip */
  CvlMap      map;         /* the display map that suits it */
} CvlPresetInfo;

CvlKernel *cvl_kernel_new         (int               width,
                                   int               height,
                                   GError          **error);
CvlKernel *cvl_kernel_new_identity (int              width,
                                   int               height);
void       cvl_kernel_free        (CvlKernel        *kernel);
CvlKernel *cvl_kernel_copy        (const CvlKernel  *kernel);
gboolean   cvl_kernel_equal       (const CvlKernel  *a,
                                   const CvlKernel  *b);
static inline float
cvl_kernel_get (const CvlKernel *k, int row, int col)
{
  return k->values[(gsize) row * k->width + col];
}

/* Presets: NULL-terminated table; cvl_kernel_new_preset() returns NULL and
 * sets error for an unknown id. */
const CvlPresetInfo *cvl_kernel_presets      (guint           *n_presets);
const CvlPresetInfo *cvl_kernel_preset_info  (const char      *id);
CvlKernel           *cvl_kernel_new_preset   (const char      *id,
                                              GError         **error);

/* Text format: one row per line or rows separated by ';', cells separated by
 * spaces, tabs or commas; each cell a decimal number or a fraction "a/b".
 * NaN, infinities, ragged rows and sizes above CVL_KERNEL_MAX_SIZE are refused. */
CvlKernel *cvl_kernel_parse       (const char       *text,
                                   GError          **error);
/* One cell: "-2", "0.125", "1/16", "-3/4", "1e-3". */
gboolean   cvl_kernel_parse_cell  (const char       *text,
                                   float            *value,
                                   GError          **error);
/* Shortest text that parses back to the same float ("0.0625", "-2"). */
char      *cvl_kernel_format_cell (float             value);
/* Rows joined by '\n', cells by ' '; divisor and offset are not included. */
char      *cvl_kernel_to_text     (const CvlKernel  *kernel);

gboolean   cvl_kernel_set_divisor (CvlKernel        *kernel,
                                   float             divisor,
                                   GError          **error);
float      cvl_kernel_sum         (const CvlKernel  *kernel);
/* Divide the weights by their sum and set divisor 1. FALSE (kernel untouched)
 * when the sum is 0, e.g. edge detectors. */
gboolean   cvl_kernel_normalize   (CvlKernel        *kernel);
void       cvl_kernel_flip        (CvlKernel        *kernel);   /* 180° */
void       cvl_kernel_transpose   (CvlKernel        *kernel);
void       cvl_kernel_rotate      (CvlKernel        *kernel);   /* 90° clockwise */
/* New size, keeping the old cells centred (cropped or padded with zeros). */
gboolean   cvl_kernel_resize      (CvlKernel        *kernel,
                                   int               width,
                                   int               height,
                                   GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlKernel, cvl_kernel_free)

G_END_DECLS
