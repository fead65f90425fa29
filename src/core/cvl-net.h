/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lecture's convnet (conv 5×5×32 → pool → conv 5×5×64 → pool → fc 1024
 * → dropout → logits 10), its weights and inference. Training lives in
 * cvl-trainer.h; the layers in cvl-nn.h. This header is the contract the
 * CLI's classify and the Draw page use. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CVL_NET_INPUT_SIDE 28
#define CVL_NET_CLASSES    10
/* New networks see (pixel − mean) / std, MNIST's training-set statistics;
 * the pair is saved with the model (input_mean, input_std) and a model
 * without it sees pixels in [0, 1] as they are. */
#define CVL_NET_INPUT_MEAN 0.1307f
#define CVL_NET_INPUT_STD  0.3081f

typedef struct _CvlNet CvlNet;

/* A network initialised from `seed` as PyTorch initialises Conv2d and
 * Linear (uniform in ±1/√fan_in, biases too). */
CvlNet   *cvl_net_new          (guint64       seed);
void      cvl_net_free         (CvlNet       *net);
CvlNet   *cvl_net_copy         (const CvlNet *net);

/* Safetensors with PyTorch's names and layouts (conv1.weight [32,1,5,5] …
 * logits.bias [10]); metadata strings (architecture, dataset, epochs,
 * test_accuracy, seed). Loading refuses broken headers, wrong shapes or
 * dtypes and missing tensors with a clear message; saving is atomic. */
CvlNet   *cvl_net_load         (const char   *path,
                                GError      **error);
CvlNet   *cvl_net_load_bytes   (GBytes       *bytes,
                                GError      **error);
gboolean  cvl_net_save         (const CvlNet *net,
                                const char   *path,
                                GHashTable   *metadata,   /* char* → char*, may be NULL */
                                GError      **error);
/* The net sees (pixel − mean) / std of its [0, 1] input. */
void      cvl_net_get_input_normalization (const CvlNet *net,
                                           float        *mean,
                                           float        *std);
/* The metadata read with the model (NULL if none); owned by the net. */
GHashTable *cvl_net_get_metadata (const CvlNet *net);

/* Inference (dropout off): images [n, 28, 28] in [0, 1] → probs [n, 10]
 * (softmax). Thread-safe for distinct nets; allocates nothing after the
 * first call with the same or smaller n. */
void      cvl_net_predict      (CvlNet       *net,
                                const float  *images,
                                int           n,
                                float        *probs);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlNet, cvl_net_free)

G_END_DECLS
