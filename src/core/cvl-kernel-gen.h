/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kernels made from a few parameters (box, Gaussian, disk, motion blur,
 * Laplacian of Gaussian, difference of Gaussians, unsharp mask) or from a
 * small image. A table describes each generator's parameters so the UI and
 * the CLI build their controls and syntax from it. */
#pragma once

#include "cvl-image.h"
#include "cvl-kernel.h"

G_BEGIN_DECLS

#define CVL_GEN_MAX_PARAMS 4

typedef struct
{
  const char *name;     /* CLI key: "sigma", "r", "len", "angle", "amount" */
  const char *label;    /* UI label: "σ (pixels)" */
  double      min, max, step, value;   /* range, UI step, default */
  int         digits;   /* decimals shown in the UI */
} CvlGenParamInfo;

typedef struct
{
  const char            *id;          /* "gaussian" */
  const char            *label;       /* "Gaussian" */
  const char            *description; /* one sentence for a tooltip */
  CvlMap                 map;         /* the display map that suits it */
  guint                  n_params;
  CvlGenParamInfo        params[CVL_GEN_MAX_PARAMS];
} CvlGeneratorInfo;

const CvlGeneratorInfo *cvl_kernel_generators     (guint             *n_generators);
const CvlGeneratorInfo *cvl_kernel_generator_info (const char        *id);

/* values[i] is params[i]; out-of-range values are refused with a message
 * naming the parameter and its range. The kernel's size follows from the
 * parameters (e.g. 2·⌈3σ⌉ + 1 for a Gaussian) and never exceeds
 * CVL_KERNEL_MAX_SIZE. Blurs sum to 1. */
CvlKernel *cvl_kernel_generate         (const char        *id,
                                        const double      *values,
                                        GError           **error);
/* "gaussian:sigma=8", "disk:r=31", "motion:len=40,angle=30", "box" (all
 * defaults). Unknown generators or keys, repeated keys and bad numbers are
 * refused with a clear message. */
CvlKernel *cvl_kernel_parse_generator  (const char        *spec,
                                        GError           **error);
/* A kernel from a picture (a bokeh shape, a star): its luma, scaled so the
 * weights sum to 1. Refuses images larger than CVL_KERNEL_MAX_SIZE a side
 * and all-black images. */
CvlKernel *cvl_kernel_new_from_image   (const CvlImage    *image,
                                        GError           **error);

G_END_DECLS
