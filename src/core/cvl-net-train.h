/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The training side of the lecture network: its parameters as one flat
 * array (the optimisers and checkpoints work on that), the activations of a
 * batch in a reusable workspace, and one forward + backward pass. */
#pragma once

#include "cvl-net.h"
#include "cvl-nn.h"

G_BEGIN_DECLS

#define CVL_NET_N_TENSORS 8

/* The tensors in the order they sit in the flat array, with PyTorch's
 * names and shapes (unused trailing dims are 0). */
typedef struct
{
  const char *name;
  int         n_dims;
  gint64      shape[4];
  gsize       offset;   /* in floats, into the flat array */
  gsize       size;     /* in floats */
} CvlNetTensorInfo;

const CvlNetTensorInfo *cvl_net_tensor_info (guint index);
/* Floats in the flat array: 3,274,634 parameters, each tensor padded to
 * 16 floats. */
gsize        cvl_net_n_params    (void);
/* The flat array of every parameter (see cvl_net_tensor_info), to write:
 * from then on cvl_net_predict keeps no copy derived from the weights
 * (it reads them as they are at each call). */
float       *cvl_net_get_params  (CvlNet       *net);
const float *cvl_net_peek_params (const CvlNet *net);
/* A tensor by name ("conv1.weight" …) or NULL. */
const float *cvl_net_get_tensor  (const CvlNet *net,
                                  const char   *name);
/* Replaces the metadata (char* → char*, copied; NULL clears). */
void         cvl_net_set_metadata (CvlNet     *net,
                                   GHashTable *metadata);

typedef struct _CvlNetWorkspace CvlNetWorkspace;

/* Buffers for batches of up to `capacity` images; `training` adds those the
 * backward pass needs. About 0.2 MB per image, plus ~15 MB of conv2's
 * kernel spectra. */
CvlNetWorkspace *cvl_net_workspace_new  (int       capacity,
                                         gboolean  training,
                                         GError  **error);
void             cvl_net_workspace_free (CvlNetWorkspace *ws);
int              cvl_net_workspace_get_capacity (CvlNetWorkspace *ws);

/* images [n, 28, 28] in [0, 1] → logits [n, 10] (owned by `ws`). With a
 * `rng`, dropout keeps each fc unit with probability `keep`; without, no
 * dropout (evaluation). */
const float *cvl_net_forward     (CvlNet          *net,
                                  CvlNetWorkspace *ws,
                                  const float     *images,
                                  int              n,
                                  float            keep,
                                  CvlRng          *rng);
/* Forward with dropout, then backward: the gradient of the batch's mean
 * cross-entropy into `grads` (flat, like the parameters). Returns the mean
 * loss; the number of correct arg-maxes in *correct. */
double       cvl_net_train_batch (CvlNet          *net,
                                  CvlNetWorkspace *ws,
                                  const float     *images,
                                  const guint8    *labels,
                                  int              n,
                                  float            keep,
                                  CvlRng          *rng,
                                  float           *grads,
                                  int             *correct);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlNetWorkspace, cvl_net_workspace_free)

G_END_DECLS
