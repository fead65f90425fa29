/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What cvl-conv.c hands to an engine: the checked inputs of one cvl_conv2d()
 * call with its geometry worked out and the output already sized. */
#pragma once

#include "cvl-conv.h"

G_BEGIN_DECLS

typedef struct
{
  const CvlImage       *in;        /* [C, H, W] */
  const CvlKernel      *kernel;
  const CvlConvOptions *options;   /* validated */
  CvlConvGeometry       geometry;  /* non-empty */
  CvlImage             *out;       /* [C, out_h, out_w] */
  GCancellable         *cancellable;
} CvlConvJob;

/* Both return FALSE only when cancelled. */
gboolean cvl_conv_naive  (const CvlConvJob *job);
gboolean cvl_conv_direct (const CvlConvJob *job);

/* The instruction set of the direct engine's inner loops: "avx512", "avx2"
 * or "generic". Setting one the CPU lacks returns FALSE; NULL picks the
 * best again. For tests and benchmarks. */
const char *cvl_conv_direct_get_isa (void);
gboolean    cvl_conv_direct_set_isa (const char *name);

G_END_DECLS
