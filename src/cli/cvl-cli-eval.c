/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `convolve-cli eval`: a model's accuracy on a test set and its 10×10
 * confusion matrix (rows: the true digit, columns: the prediction). */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-bundled-model.h"
#include "cvl-cli.h"
#include "cvl-cli-dataset.h"
#include "cvl-error.h"
#include "cvl-nn.h"
#include "cvl-trainer.h"

gboolean
cvl_cli_eval (int      argc,
              char   **argv,
              GError **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CvlDataset) data = NULL;
  g_autoptr(CvlNet) net = NULL;
  g_autofree char *model = NULL, *dir = NULL, *dataset = NULL;
  guint32 confusion[CVL_NET_CLASSES * CVL_NET_CLASSES];
  int threads = 0;
  double accuracy;
  GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model,
      N_("The model (safetensors; default: the bundled model)"), "MODEL" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_("Folder with the four IDX files (raw or .gz)"), "DIR" },
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset, N_("mnist (default) or fashion"), "NAME" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), "N" },
    { NULL }
  };

  context = cvl_cli_context_new ("eval", NULL,
                                 _("A model's accuracy on the test images and its confusion "
                                   "matrix (rows: true digit; columns: predicted)."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("eval takes no arguments, got “%s”"), argv[1]);
      return FALSE;
    }
  if (model == NULL && (model = cvl_bundled_model_find (error)) == NULL)
    return FALSE;

  net = cvl_net_load (model, error);
  if (net == NULL)
    return FALSE;
  data = cvl_cli_load_dataset (dir, dataset, error);
  if (data == NULL)
    return FALSE;

  cvl_nn_set_threads (threads > 0 ? threads : (int) g_get_num_processors ());
  accuracy = cvl_net_evaluate (net, data->test_images, data->test_labels, confusion);
  g_print ("accuracy %.2f%% (%d/%d)\n", 100 * accuracy,
           (int) (accuracy * data->test_images->count + 0.5), data->test_images->count);
  g_print ("true\\pred");
  for (int j = 0; j < CVL_NET_CLASSES; j++)
    g_print (" %5d", j);
  g_print ("\n");
  for (int i = 0; i < CVL_NET_CLASSES; i++)
    {
      g_print ("%9d", i);
      for (int j = 0; j < CVL_NET_CLASSES; j++)
        g_print (" %5u", confusion[i * CVL_NET_CLASSES + j]);
      g_print ("\n");
    }
  return TRUE;
}
