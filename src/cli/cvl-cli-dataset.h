/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The data-set options that train and eval share: --data DIR or --dataset
 * NAME (default mnist). Usage errors are in G_OPTION_ERROR. */
#pragma once

#include "cvl-dataset.h"

G_BEGIN_DECLS

CvlDataset *cvl_cli_load_dataset (const char  *dir,
                                  const char  *name,
                                  GError     **error);

G_END_DECLS
