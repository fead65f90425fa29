/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One output pixel of a convolution taken apart: the input neighbourhood
 * under the kernel, each product and their sum — the lecture's
 * "5×5 image ⊛ 3×3 kernel = 4" slide, for any pixel of any image. */
#pragma once

#include "cvl-conv.h"

G_BEGIN_DECLS

#define CVL_INSPECT_MAX_TAPS (CVL_KERNEL_MAX_EDIT * CVL_KERNEL_MAX_EDIT)

typedef struct
{
  int   k_h, k_w;
  int   out_y, out_x;
  /* Per tap, row-major [k_h, k_w]: */
  float input[CVL_INSPECT_MAX_TAPS];   /* the value read, after the border rule */
  float weight[CVL_INSPECT_MAX_TAPS];  /* the kernel cell used (flip applied) */
  int   src_y[CVL_INSPECT_MAX_TAPS];   /* input pixel read, -1 for a zero pad */
  int   src_x[CVL_INSPECT_MAX_TAPS];
  gboolean padded[CVL_INSPECT_MAX_TAPS]; /* the tap fell outside the image */
  float sum;                           /* Σ weight · input */
  float divisor, offset;
  float result;                        /* sum / divisor + offset */
} CvlInspection;

/* `channel` selects the colour channel for CVL_CHANNELS_RGB and is ignored
 * for gray, where the input is the luma. FALSE when the kernel is larger than
 * CVL_KERNEL_MAX_EDIT or (out_y, out_x) is outside the output. */
gboolean cvl_conv_inspect (const CvlImage       *in,
                           const CvlKernel      *kernel,
                           const CvlConvOptions *options,
                           int                   channel,
                           int                   out_y,
                           int                   out_x,
                           CvlInspection        *inspection);

G_END_DECLS
