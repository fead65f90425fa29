/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The frequency response of a kernel: the magnitude of its 2-D DFT, centred
 * (DC in the middle), so a blur reads as low-pass and an edge detector as
 * high-pass. */
#pragma once

#include "cvl-image.h"
#include "cvl-kernel.h"

G_BEGIN_DECLS

typedef struct
{
  CvlImage *magnitude;   /* 1 channel, n × n, scaled to [0, 1] for display */
  float     max_gain;    /* largest |H| before scaling (divisor applied) */
  float     dc_gain;     /* |H(0,0)|: the kernel's sum / divisor */
} CvlSpectrum;

/* n: the DFT size, at least the kernel's larger side (the kernel is
 * zero-padded); e.g. 64 for small kernels. log_scale maps |H| through
 * log(1 + |H|) before scaling, which shows the stop bands. */
CvlSpectrum *cvl_kernel_spectrum      (const CvlKernel *kernel,
                                       int              n,
                                       gboolean         log_scale,
                                       GError         **error);
void         cvl_spectrum_free        (CvlSpectrum     *spectrum);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlSpectrum, cvl_spectrum_free)

G_END_DECLS
