/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Takes one output pixel apart for the pixel inspector. Written like the
 * naive engine, tap by tap, so what the inspector shows is the definition. */
#include "config.h"

#include <string.h>

#include "cvl-inspect.h"

static float
read_input (const CvlImage *in,
            CvlChannels     mode,
            int             channel,
            int             y,
            int             x)
{
  gsize at = (gsize) y * in->width + x;

  if (mode == CVL_CHANNELS_GRAY && in->channels >= 3)
    return 0.2989f * cvl_image_plane (in, 0)[at]
         + 0.5870f * cvl_image_plane (in, 1)[at]
         + 0.1140f * cvl_image_plane (in, 2)[at];
  return cvl_image_plane (in, MIN (channel, in->channels - 1))[at];
}

gboolean
cvl_conv_inspect (const CvlImage       *in,
                  const CvlKernel      *kernel,
                  const CvlConvOptions *options,
                  int                   channel,
                  int                   out_y,
                  int                   out_x,
                  CvlInspection        *inspection)
{
  CvlConvGeometry geo;

  g_return_val_if_fail (in != NULL && kernel != NULL && options != NULL, FALSE);
  g_return_val_if_fail (inspection != NULL, FALSE);

  if (kernel->width > CVL_KERNEL_MAX_EDIT || kernel->height > CVL_KERNEL_MAX_EDIT)
    return FALSE;
  cvl_conv_geometry (in->height, in->width, kernel->height, kernel->width, options, &geo);
  if (out_y < 0 || out_x < 0 || out_y >= geo.out_h || out_x >= geo.out_w)
    return FALSE;

  memset (inspection, 0, sizeof *inspection);
  inspection->k_h = kernel->height;
  inspection->k_w = kernel->width;
  inspection->out_y = out_y;
  inspection->out_x = out_x;
  inspection->divisor = kernel->divisor;
  inspection->offset = kernel->offset;

  for (int ky = 0; ky < kernel->height; ky++)
    for (int kx = 0; kx < kernel->width; kx++)
      {
        int tap = ky * kernel->width + kx;
        int iy = out_y * options->stride_h - geo.pad_top + ky * options->dilation_h;
        int ix = out_x * options->stride_w - geo.pad_left + kx * options->dilation_w;
        int sy = cvl_conv_border_index (iy, in->height, options->border);
        int sx = cvl_conv_border_index (ix, in->width, options->border);
        float w = options->flip
          ? cvl_kernel_get (kernel, kernel->height - 1 - ky, kernel->width - 1 - kx)
          : cvl_kernel_get (kernel, ky, kx);
        float v = (sy < 0 || sx < 0) ? 0.f : read_input (in, options->channels, channel, sy, sx);

        inspection->padded[tap] = iy < 0 || ix < 0 || iy >= in->height || ix >= in->width;
        inspection->src_y[tap] = sx < 0 ? -1 : sy;
        inspection->src_x[tap] = sy < 0 ? -1 : sx;
        inspection->input[tap] = v;
        inspection->weight[tap] = w;
        inspection->sum += w * v;
      }
  inspection->result = inspection->sum / kernel->divisor + kernel->offset;
  return TRUE;
}
