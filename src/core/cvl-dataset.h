/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MNIST and Fashion-MNIST on disk: where to look for them, loading the four
 * IDX files of a folder (raw or .gz) with their counts checked against each
 * other, MNIST's published checksums, and where MNIST and Fashion-MNIST
 * are downloaded from. */
#pragma once

#include "cvl-download.h"
#include "cvl-idx.h"

G_BEGIN_DECLS

typedef struct
{
  char         *name;          /* "mnist", "fashion" or the folder's name */
  char         *dir;
  CvlIdxImages *train_images;  /* 60000 × 28 × 28 for MNIST */
  CvlIdxLabels *train_labels;
  CvlIdxImages *test_images;   /* 10000 × 28 × 28 */
  CvlIdxLabels *test_labels;
} CvlDataset;

/* Loads train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each raw or .gz) from
 * `dir`; images and labels counts must agree, labels must be 0–9, all
 * images the same size. The error names the missing or bad file. */
CvlDataset *cvl_dataset_load     (const char  *dir,
                                  GError     **error);
void        cvl_dataset_free     (CvlDataset  *dataset);

/* The folder where `name` ("mnist" or "fashion") is found: for MNIST,
 * $CONVOLVE_MNIST_DIR, then the user data folder (…/convolve/mnist); for
 * Fashion-MNIST, $CONVOLVE_FASHION_MNIST_DIR, the user data folder
 * (…/convolve/fashion-mnist), then Debian's /usr/share/datasets/fashion-mnist
 * (the package's names: train-images-idx3-ubyte.gz …). NULL with a message saying
 * where it looked (and how to fetch MNIST) when none holds the files. */
char       *cvl_dataset_find     (const char  *name,
                                  GError     **error);
/* The default download folder for `name` (may not exist yet). */
char       *cvl_dataset_user_dir (const char  *name);

/* SHA-256 of the four raw MNIST files against MNIST's published values
 * (a .gz file is hashed decompressed). */
gboolean    cvl_dataset_verify_mnist (const char *dir,
                                      GError    **error);

/* Where a dataset's four .gz files are downloaded from, with their MD5s. */
typedef struct
{
  const char      *name;         /* "mnist" or "fashion" */
  const char      *mirrors;      /* base URLs, space-separated, tried in order */
  const char      *mirrors_env;  /* a variable that replaces `mirrors` if set */
  CvlDownloadFile  files[4];
} CvlDatasetSource;

/* MNIST's or Fashion-MNIST's published source ("mnist" or "fashion"), or
 * NULL for another name. */
const CvlDatasetSource *cvl_dataset_source (const char *name);
/* The mirrors to try: $mirrors_env split on spaces when set, else `mirrors`. */
char      **cvl_dataset_source_mirrors (const CvlDatasetSource *source);
/* Downloads the source's four files into `dir` (see cvl_download_files),
 * blocking: call it on a worker thread. */
gboolean    cvl_dataset_download (const CvlDatasetSource *source,
                                  const char             *dir,
                                  CvlDownloadProgress     progress,
                                  gpointer                user_data,
                                  GCancellable           *cancellable,
                                  GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlDataset, cvl_dataset_free)

G_END_DECLS
