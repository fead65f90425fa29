/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `convolve-cli classify`: pictures of single digits through the same path as
 * the Draw page (luma, MNIST-style preprocessing, the lecture network), one
 * "PATH DIGIT CONFIDENCE" line each. A bad picture does not stop the others. */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "cvl-bundled-model.h"
#include "cvl-cli.h"
#include "cvl-digit.h"
#include "cvl-error.h"
#include "cvl-imageio.h"
#include "cvl-net.h"

/* Gray values in [0, 1]. A picture with transparency is laid on a background
 * opposite to its visible ink, so both a black and a white pen on a
 * transparent canvas come out as ink. */
static CvlImage *
picture_to_gray (const CvlImage *image)
{
  g_autoptr(CvlImage) gray = cvl_image_to_luma (image);
  gsize n = (gsize) image->width * image->height;
  const float *alpha;
  double ink_sum = 0, ink_weight = 0;
  gboolean translucent = FALSE;
  float paper;

  if (gray == NULL || image->channels != 4)
    return g_steal_pointer (&gray);

  alpha = cvl_image_plane (image, 3);
  for (gsize i = 0; i < n; i++)
    {
      translucent |= alpha[i] < 0.99f;
      ink_sum += (double) alpha[i] * gray->data[i];
      ink_weight += alpha[i];
    }
  if (!translucent)
    return g_steal_pointer (&gray);

  paper = ink_weight > 0 && ink_sum / ink_weight > 0.5 ? 0.f : 1.f;
  for (gsize i = 0; i < n; i++)
    gray->data[i] = alpha[i] * gray->data[i] + (1.f - alpha[i]) * paper;
  return g_steal_pointer (&gray);
}

/* FALSE with an error for an unreadable picture; TRUE with *found = FALSE
 * when it holds no ink. */
static gboolean
classify_one (CvlNet      *net,
              const char  *path,
              gboolean     center_by_mass,
              gboolean    *found,
              int         *digit,
              float       *confidence,
              GError     **error)
{
  g_autoptr(CvlImage) image = NULL;
  g_autoptr(CvlImage) gray = NULL;
  float input[CVL_DIGIT_SIDE * CVL_DIGIT_SIDE];
  float probs[CVL_NET_CLASSES];
  CvlDigitInfo info;

  image = cvl_imageio_load (path, error);
  if (image == NULL)
    return FALSE;
  gray = picture_to_gray (image);
  if (gray == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   _("Not enough memory for “%s” (%d×%d)"), path, image->width, image->height);
      return FALSE;
    }
  if (!cvl_digit_preprocess (gray->data, gray->width, gray->height, center_by_mass,
                             input, &info, error))
    return FALSE;

  *found = info.found;
  if (!info.found)
    return TRUE;

  cvl_net_predict (net, input, 1, probs);
  *digit = 0;
  for (int k = 1; k < CVL_NET_CLASSES; k++)
    if (probs[k] > probs[*digit])
      *digit = k;
  *confidence = probs[*digit];
  return TRUE;
}

gboolean
cvl_cli_classify (int      argc,
                  char   **argv,
                  GError **error)
{
  g_autofree char *model_path = NULL;
  g_auto(GStrv) images = NULL;
  gboolean no_center = FALSE, verbose = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("The network (safetensors; default: the bundled model)"), "MODEL" },
    { "no-center", 0, 0, G_OPTION_ARG_NONE, &no_center,
      N_("Centre the digit's box instead of its centre of mass"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      N_("Say which model file is used (on standard error)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &images, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CvlNet) net = NULL;
  guint n_images, n_failed = 0, n_empty = 0;

  context = cvl_cli_context_new ("classify", "IMAGE…",
                                 _("Classify pictures of single digits (any size, dark ink on "
                                   "light or light on dark):\none line per picture, "
                                   "“PATH DIGIT CONFIDENCE”, or “PATH - no digit found”."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;

  n_images = images != NULL ? g_strv_length (images) : 0;
  if (n_images == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("classify needs at least one IMAGE"));
      return FALSE;
    }

  if (model_path == NULL)
    {
      model_path = cvl_bundled_model_find (error);
      if (model_path == NULL)
        return FALSE;
    }
  if (verbose)
    g_printerr ("model: %s\n", model_path);
  net = cvl_net_load (model_path, error);
  if (net == NULL)
    return FALSE;

  for (guint i = 0; i < n_images; i++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean found = FALSE;
      int digit = 0;
      float confidence = 0;
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      if (!classify_one (net, images[i], !no_center, &found, &digit, &confidence,
                         &local_error))
        {
          g_autofree char *message = g_strdup (local_error->message);

          /* One line per failure, as main() reports errors. */
          g_strdelimit (message, "\r\n", ' ');
          g_printerr ("convolve-cli: %s\n", message);
          n_failed++;
          continue;
        }
      if (!found)
        {
          g_print ("%s - no digit found\n", images[i]);
          n_empty++;
          continue;
        }
      /* A dot whatever the locale, for scripts. */
      g_print ("%s %d %s\n", images[i], digit,
               g_ascii_formatd (number, sizeof number, "%.4f", confidence));
    }

  if (n_failed > 0 || n_empty > 0)
    {
      g_set_error (error, CVL_ERROR, n_failed > 0 ? CVL_ERROR_IO : CVL_ERROR_EMPTY_OUTPUT,
                   _("%u of %u pictures could not be classified "
                     "(%u unreadable, %u without a digit)"),
                   n_failed + n_empty, n_images, n_failed, n_empty);
      return FALSE;
    }
  return TRUE;
}
