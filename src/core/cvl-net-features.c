/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Feature maps of one image through the lecture network's two conv layers,
 * with TensorFlow's SAME padding (2 pixels each side for 5×5) and the
 * network's own weights. About 10 M multiply-adds: fine on a worker. */
#include "config.h"

#include "cvl-net-features.h"
#include "cvl-net-train.h"

#define K 5
#define PAD 2

/* out[o] = ReLU(b[o] + Σ_c Σ_taps w[o,c,ky,kx] · in[c, y+ky-2, x+kx-2]) */
static void
conv_same_relu (const float *in,      /* [c_in, side, side] */
                int          c_in,
                int          side,
                const float *weight,  /* [c_out, c_in, 5, 5] */
                const float *bias,    /* [c_out] */
                int          c_out,
                float       *out)     /* [c_out, side, side] */
{
  for (int o = 0; o < c_out; o++)
    for (int y = 0; y < side; y++)
      for (int x = 0; x < side; x++)
        {
          float sum = bias[o];

          for (int c = 0; c < c_in; c++)
            for (int ky = 0; ky < K; ky++)
              {
                int iy = y + ky - PAD;

                if (iy < 0 || iy >= side)
                  continue;
                for (int kx = 0; kx < K; kx++)
                  {
                    int ix = x + kx - PAD;

                    if (ix >= 0 && ix < side)
                      sum += weight[((o * c_in + c) * K + ky) * K + kx]
                             * in[(c * side + iy) * side + ix];
                  }
              }
          out[(o * side + y) * side + x] = sum > 0 ? sum : 0;
        }
}

void
cvl_net_feature_maps (const CvlNet *net,
                      const float  *image,
                      float        *conv1,
                      float        *conv2)
{
  const int side = CVL_NET_INPUT_SIDE, half = side / 2;
  g_autofree float *pool1 = g_new (float, CVL_NET_CONV1_MAPS * half * half);
  float input[CVL_NET_INPUT_SIDE * CVL_NET_INPUT_SIDE], mean, std;

  g_return_if_fail (net != NULL && image != NULL && conv1 != NULL && conv2 != NULL);

  /* What the network sees (padding is zero after this, as in the network). */
  cvl_net_get_input_normalization (net, &mean, &std);
  for (int i = 0; i < side * side; i++)
    input[i] = (image[i] - mean) / std;
  image = input;

  conv_same_relu (image, 1, side, cvl_net_get_tensor (net, "conv1.weight"),
                  cvl_net_get_tensor (net, "conv1.bias"), CVL_NET_CONV1_MAPS, conv1);
  for (int c = 0; c < CVL_NET_CONV1_MAPS; c++)
    for (int y = 0; y < half; y++)
      for (int x = 0; x < half; x++)
        {
          const float *p = conv1 + (c * side + 2 * y) * side + 2 * x;

          pool1[(c * half + y) * half + x] = MAX (MAX (p[0], p[1]), MAX (p[side], p[side + 1]));
        }
  conv_same_relu (pool1, CVL_NET_CONV1_MAPS, half, cvl_net_get_tensor (net, "conv2.weight"),
                  cvl_net_get_tensor (net, "conv2.bias"), CVL_NET_CONV2_MAPS, conv2);
}
