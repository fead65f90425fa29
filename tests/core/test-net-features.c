/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Draw page's feature maps against the convolution engine's naive
 * reference: conv1 and conv2 maps of a random digit must equal ReLU(bias +
 * Σ channels conv2d(SAME, zero border)) with the network's own weights. */
#include "config.h"

#include <math.h>

#include "cvl-conv.h"
#include "cvl-net-features.h"
#include "cvl-net-train.h"

/* ReLU (bias + Σ_c conv2d (in_c, w[o, c])) through cvl_conv2d (NAIVE). */
static void
reference_map (const float *in, int channels, int side, const float *weight,
               float bias, int o, float *out)
{
  CvlConvOptions options;

  cvl_conv_options_init (&options);   /* SAME, zero border, stride 1: the network's */
  for (int i = 0; i < side * side; i++)
    out[i] = bias;
  for (int c = 0; c < channels; c++)
    {
      g_autoptr (CvlImage) plane = cvl_image_new (side, side, 1, NULL);
      g_autoptr (CvlKernel) kernel = cvl_kernel_new (5, 5, NULL);
      g_autoptr (CvlImage) result = NULL;

      memcpy (plane->data, in + (gsize) c * side * side, sizeof (float) * side * side);
      memcpy (kernel->values, weight + ((gsize) o * channels + c) * 25, sizeof (float) * 25);
      g_assert_true (cvl_conv2d (CVL_ENGINE_NAIVE, plane, kernel, &options, &result, NULL, NULL));
      for (int i = 0; i < side * side; i++)
        out[i] += result->data[i];
    }
  for (int i = 0; i < side * side; i++)
    out[i] = MAX (out[i], 0.f);
}

static void
assert_close (const float *got, const float *want, int n)
{
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (got[i], want[i], 1e-4 * MAX (1.f, fabsf (want[i])));
}

static void
test_maps_match_reference (void)
{
  g_autoptr (CvlNet) net = cvl_net_new (7);
  g_autofree float *conv1 = g_new (float, CVL_NET_CONV1_MAPS * 784);
  g_autofree float *conv2 = g_new (float, CVL_NET_CONV2_MAPS * 196);
  g_autofree float *pool1 = g_new (float, CVL_NET_CONV1_MAPS * 196);
  float image[784], seen[784], want[784], mean, std;
  GRand *rand = g_rand_new_with_seed (3);
  guint positive = 0;

  for (int i = 0; i < 784; i++)
    image[i] = (float) g_rand_double (rand);
  cvl_net_feature_maps (net, image, conv1, conv2);

  /* The network sees the image normalised. */
  cvl_net_get_input_normalization (net, &mean, &std);
  for (int i = 0; i < 784; i++)
    seen[i] = (image[i] - mean) / std;
  for (int o = 0; o < CVL_NET_CONV1_MAPS; o++)
    {
      reference_map (seen, 1, 28, cvl_net_get_tensor (net, "conv1.weight"),
                     cvl_net_get_tensor (net, "conv1.bias")[o], o, want);
      assert_close (conv1 + o * 784, want, 784);
    }
  for (int c = 0; c < CVL_NET_CONV1_MAPS; c++)
    for (int y = 0; y < 14; y++)
      for (int x = 0; x < 14; x++)
        {
          const float *p = conv1 + c * 784 + 2 * y * 28 + 2 * x;
          pool1[c * 196 + y * 14 + x] = MAX (MAX (p[0], p[1]), MAX (p[28], p[29]));
        }
  for (int o = 0; o < CVL_NET_CONV2_MAPS; o += 7)
    {
      reference_map (pool1, CVL_NET_CONV1_MAPS, 14, cvl_net_get_tensor (net, "conv2.weight"),
                     cvl_net_get_tensor (net, "conv2.bias")[o], o, want);
      assert_close (conv2 + o * 196, want, 196);
    }
  /* ReLU keeps something: a random image lights up some units. */
  for (int i = 0; i < CVL_NET_CONV2_MAPS * 196; i++)
    positive += conv2[i] > 0;
  g_assert_cmpuint (positive, >, 0);
  g_rand_free (rand);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/net-features/maps-match-reference", test_maps_match_reference);
  return g_test_run ();
}
