/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reference engine: the definition of the convolution written as plainly
 * as possible, so the fast engines have something obviously right to match. */
#include "config.h"

#include "cvl-conv-private.h"

gboolean
cvl_conv_naive (const CvlConvJob *job)
{
  const CvlImage *in = job->in;
  const CvlKernel *k = job->kernel;
  const CvlConvOptions *o = job->options;
  const CvlConvGeometry *g = &job->geometry;

  for (int c = 0; c < in->channels; c++)
    {
      const float *src = cvl_image_plane (in, c);
      float *dst = cvl_image_plane (job->out, c);

      for (int oy = 0; oy < g->out_h; oy++)
        {
          if (g_cancellable_is_cancelled (job->cancellable))
            return FALSE;

          for (int ox = 0; ox < g->out_w; ox++)
            {
              double sum = 0;

              for (int ky = 0; ky < k->height; ky++)
                for (int kx = 0; kx < k->width; kx++)
                  {
                    int iy = oy * o->stride_h - g->pad_top + ky * o->dilation_h;
                    int ix = ox * o->stride_w - g->pad_left + kx * o->dilation_w;
                    int y = cvl_conv_border_index (iy, in->height, o->border);
                    int x = cvl_conv_border_index (ix, in->width, o->border);
                    float w = o->flip
                      ? cvl_kernel_get (k, k->height - 1 - ky, k->width - 1 - kx)
                      : cvl_kernel_get (k, ky, kx);

                    if (y >= 0 && x >= 0)
                      sum += (double) w * src[(gsize) y * in->width + x];
                  }

              dst[(gsize) oy * g->out_w + ox] = (float) (sum / k->divisor + k->offset);
            }
        }
    }

  return TRUE;
}
