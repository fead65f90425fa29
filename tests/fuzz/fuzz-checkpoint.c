/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training checkpoints (cvl_trainer_load_checkpoint): safetensors whose
 * metadata carries the optimiser, RNG and history. One trainer on a
 * 4-image data set is reused; a refused checkpoint must leave it idle and
 * untouched. A complete checkpoint is 39 MB, so the seeds have valid
 * metadata and stop at the tensors. */
#include "fuzz-common.h"

#include "cvl-trainer.h"

static CvlTrainer *trainer;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static guint8 pixels[4 * 28 * 28], values[4] = { 0, 1, 2, 3 };
  CvlIdxImages images = { 4, 28, 28, pixels };
  CvlIdxLabels labels = { 4, values };
  CvlTrainerConfig config;
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  cvl_trainer_config_init (&config);
  config.batch = 2;
  config.threads = 1;
  trainer = cvl_trainer_new (&images, &labels, NULL, NULL, &config, &error);
  g_assert_no_error (error);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = fuzz_write_file (data, size);
  g_autoptr(GError) error = NULL;

  if (cvl_trainer_load_checkpoint (trainer, path, &error))
    {
      /* Only a full 39 MB checkpoint loads; start over from the same state. */
      CvlTrainerConfig config = *cvl_trainer_get_config (trainer);

      g_assert_no_error (error);
      cvl_trainer_free (trainer);
      trainer = NULL;
      g_assert (config.batch >= 1);
      LLVMFuzzerInitialize (NULL, NULL);
      return 0;
    }
  g_assert (error != NULL);
  fuzz_note ("checkpoint", error);
  g_assert (cvl_trainer_get_state (trainer) == CVL_TRAINER_IDLE);
  g_assert (cvl_trainer_get_step (trainer) == 0);
  return 0;
}
