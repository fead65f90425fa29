/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lecture's convnet: its parameters in one flat array, the forward and
 * backward passes over a batch, inference and safetensors files with
 * PyTorch's names (so torch's load_state_dict takes them as they are). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-net-train.h"
#include "cvl-safetensors.h"

#define SIDE     CVL_NET_INPUT_SIDE          /* 28 */
#define PIXELS   (SIDE * SIDE)               /* 784 */
#define C1       32
#define C2       64
#define K        5
#define S1       (SIDE / 2)                  /* 14 */
#define S2       (SIDE / 4)                  /* 7 */
#define FLAT     (C2 * S2 * S2)              /* 3136 */
#define HIDDEN   1024
#define CLASSES  CVL_NET_CLASSES             /* 10 */
#define PREDICT_CHUNK 256
#define SPARSE_MAX    4      /* images per prediction for the sparse fc */

enum { CONV1_W, CONV1_B, CONV2_W, CONV2_B, FC_W, FC_B, LOGITS_W, LOGITS_B };

static const CvlNetTensorInfo tensors[CVL_NET_N_TENSORS] = {
  { "conv1.weight",  4, { C1, 1, K, K },  0, C1 * K * K },
  { "conv1.bias",    1, { C1 },           0, C1 },
  { "conv2.weight",  4, { C2, C1, K, K }, 0, C2 * C1 * K * K },
  { "conv2.bias",    1, { C2 },           0, C2 },
  { "fc.weight",     2, { HIDDEN, FLAT }, 0, (gsize) HIDDEN * FLAT },
  { "fc.bias",       1, { HIDDEN },       0, HIDDEN },
  { "logits.weight", 2, { CLASSES, HIDDEN }, 0, CLASSES * HIDDEN },
  { "logits.bias",   1, { CLASSES },      0, CLASSES },
};

/* Offsets filled in once; each tensor starts 64-byte aligned. */
static CvlNetTensorInfo layout[CVL_NET_N_TENSORS];
static gsize n_params_padded;

static void
ensure_layout (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      gsize offset = 0;

      for (int i = 0; i < CVL_NET_N_TENSORS; i++)
        {
          layout[i] = tensors[i];
          layout[i].offset = offset;
          offset += (tensors[i].size + 15) & ~(gsize) 15;
        }
      n_params_padded = offset;
      g_once_init_leave (&done, 1);
    }
}

struct _CvlNet
{
  float           *params;    /* n_params_padded floats, see layout[] */
  float            in_mean;   /* the network sees (pixel − in_mean) / in_std */
  float            in_std;
  GHashTable      *metadata;  /* char* → char*, or NULL */
  CvlNetWorkspace *predict;   /* lazily, for cvl_net_predict */
  /* fc.weight transposed, [3136,1024], for small predictions; never on a
   * net whose parameters were lent out for writing (cvl_net_get_params). */
  float           *fc_t;
  gboolean         params_lent;
};

struct _CvlNetWorkspace
{
  int      capacity;
  gboolean training;
  float   *x0;      /* [1,N,28,28] */
  float   *p1;      /* [32,N,14,14]: conv1, ReLU, pool */
  guint8  *arg1;
  CvlFftConv *conv2;
  guint8  *arg2;    /* [64,N,7,7] */
  float   *flat;    /* [N,3136], NCHW order: conv2, ReLU, pool */
  float   *h;       /* [N,1024] after ReLU */
  float   *d;       /* [N,1024] after dropout */
  float   *mask;    /* [N,1024] */
  float   *z;       /* [N,10] */
  /* backward */
  float   *dz, *dd, *dflat, *dp1;
};

const CvlNetTensorInfo *
cvl_net_tensor_info (guint index)
{
  g_return_val_if_fail (index < CVL_NET_N_TENSORS, NULL);
  ensure_layout ();
  return &layout[index];
}

gsize
cvl_net_n_params (void)
{
  ensure_layout ();
  return n_params_padded;
}

static CvlNet *
net_alloc (GError **error)
{
  CvlNet *net;
  float *params;

  ensure_layout ();
  params = cvl_nn_alloc (n_params_padded, error);
  if (params == NULL)
    return NULL;
  memset (params, 0, n_params_padded * sizeof (float));
  net = g_new0 (CvlNet, 1);
  net->params = params;
  net->in_mean = 0.f;
  net->in_std = 1.f;
  return net;
}

static float *
tensor (const CvlNet *net,
        int           index)
{
  return net->params + layout[index].offset;
}

CvlNet *
cvl_net_new (guint64 seed)
{
  CvlNet *net = net_alloc (NULL);
  CvlRng rng;

  g_return_val_if_fail (net != NULL, NULL);
  net->in_mean = CVL_NET_INPUT_MEAN;
  net->in_std = CVL_NET_INPUT_STD;
  cvl_rng_init (&rng, seed);
  /* PyTorch's defaults for Conv2d and Linear (Kaiming-uniform with a = √5):
   * weights and biases uniform in ±1/√fan_in. With the normalised input it
   * learns faster here than He-normal weights and zero biases. */
  for (int t = 0; t < CVL_NET_N_TENSORS; t++)
    {
      static const int fan_in[CVL_NET_N_TENSORS] = {
        K * K, K * K, C1 * K * K, C1 * K * K, FLAT, FLAT, HIDDEN, HIDDEN,
      };
      double bound = 1.0 / sqrt (fan_in[t]);
      float *w = tensor (net, t);

      for (gsize i = 0; i < layout[t].size; i++)
        w[i] = (float) (bound * (2.0 * cvl_rng_uniform (&rng) - 1.0));
    }
  return net;
}

void
cvl_net_free (CvlNet *net)
{
  if (net == NULL)
    return;
  cvl_nn_free (net->params);
  g_clear_pointer (&net->metadata, g_hash_table_unref);
  g_clear_pointer (&net->predict, cvl_net_workspace_free);
  g_clear_pointer (&net->fc_t, cvl_nn_free);
  g_free (net);
}

static GHashTable *
copy_metadata (GHashTable *metadata)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

CvlNet *
cvl_net_copy (const CvlNet *net)
{
  CvlNet *copy;

  g_return_val_if_fail (net != NULL, NULL);
  copy = net_alloc (NULL);
  g_return_val_if_fail (copy != NULL, NULL);
  memcpy (copy->params, net->params, n_params_padded * sizeof (float));
  copy->in_mean = net->in_mean;
  copy->in_std = net->in_std;
  if (net->metadata != NULL)
    copy->metadata = copy_metadata (net->metadata);
  return copy;
}

float *
cvl_net_get_params (CvlNet *net)
{
  g_return_val_if_fail (net != NULL, NULL);
  net->params_lent = TRUE;
  g_clear_pointer (&net->fc_t, cvl_nn_free);
  return net->params;
}

const float *
cvl_net_peek_params (const CvlNet *net)
{
  g_return_val_if_fail (net != NULL, NULL);
  return net->params;
}

const float *
cvl_net_get_tensor (const CvlNet *net,
                    const char   *name)
{
  g_return_val_if_fail (net != NULL && name != NULL, NULL);
  for (int i = 0; i < CVL_NET_N_TENSORS; i++)
    if (g_str_equal (layout[i].name, name))
      return tensor (net, i);
  return NULL;
}

void
cvl_net_get_input_normalization (const CvlNet *net,
                                 float        *mean,
                                 float        *std)
{
  g_return_if_fail (net != NULL && mean != NULL && std != NULL);
  *mean = net->in_mean;
  *std = net->in_std;
}

GHashTable *
cvl_net_get_metadata (const CvlNet *net)
{
  g_return_val_if_fail (net != NULL, NULL);
  return net->metadata;
}

void
cvl_net_set_metadata (CvlNet     *net,
                      GHashTable *metadata)
{
  g_return_if_fail (net != NULL);
  g_clear_pointer (&net->metadata, g_hash_table_unref);
  if (metadata != NULL)
    net->metadata = copy_metadata (metadata);
}

/* -- Files ------------------------------------------------------------------ */

gboolean
cvl_net_save (const CvlNet *net,
              const char   *path,
              GHashTable   *metadata,
              GError      **error)
{
  CvlSafetensorsEntry entries[CVL_NET_N_TENSORS];
  g_autoptr(GHashTable) meta = NULL;

  g_return_val_if_fail (net != NULL && path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  meta = metadata != NULL ? copy_metadata (metadata)
                          : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* What safetensors.torch.save_file writes, and what this network is. */
  if (!g_hash_table_contains (meta, "format"))
    g_hash_table_insert (meta, g_strdup ("format"), g_strdup ("pt"));
  /* The input convention travels with the weights (PyTorch users apply it
   * before the network: x = (pixels/255 − mean) / std). */
  g_hash_table_insert (meta, g_strdup ("input_mean"), g_strdup_printf ("%.9g", net->in_mean));
  g_hash_table_insert (meta, g_strdup ("input_std"), g_strdup_printf ("%.9g", net->in_std));
  if (!g_hash_table_contains (meta, "architecture"))
    g_hash_table_insert (meta, g_strdup ("architecture"),
                         g_strdup ("lecture-convnet: conv5x5x32-pool-conv5x5x64-pool-"
                                   "fc1024-dropout-logits10"));

  for (int i = 0; i < CVL_NET_N_TENSORS; i++)
    {
      entries[i].name = layout[i].name;
      entries[i].n_dims = layout[i].n_dims;
      memcpy (entries[i].shape, layout[i].shape, sizeof layout[i].shape);
      entries[i].data = tensor (net, i);
    }
  return cvl_safetensors_save (path, entries, CVL_NET_N_TENSORS, meta, error);
}

static gboolean
read_input_convention (CvlNet  *net,
                       GError **error)
{
  const char *mean = g_hash_table_lookup (net->metadata, "input_mean");
  const char *std = g_hash_table_lookup (net->metadata, "input_std");
  char *end;
  double m = 0, sd = 1;

  if (mean != NULL)
    {
      m = g_ascii_strtod (mean, &end);
      if (*end != '\0' || end == mean || !isfinite (m))
        mean = NULL, m = NAN;
    }
  if (std != NULL)
    {
      sd = g_ascii_strtod (std, &end);
      if (*end != '\0' || end == std || !(sd > 0) || !isfinite (sd))
        sd = NAN;
    }
  if (isnan (m) || isnan (sd))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   "The model's input_mean or input_std is not a number (std > 0)");
      return FALSE;
    }
  net->in_mean = (float) m;
  net->in_std = (float) sd;
  return TRUE;
}

CvlNet *
cvl_net_load_bytes (GBytes  *bytes,
                    GError **error)
{
  g_autoptr(CvlSafetensors) st = NULL;
  g_autoptr(CvlNet) net = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  st = cvl_safetensors_parse (bytes, error);
  if (st == NULL)
    return NULL;
  net = net_alloc (error);
  if (net == NULL)
    return NULL;
  for (int i = 0; i < CVL_NET_N_TENSORS; i++)
    if (!cvl_safetensors_read (st, layout[i].name, layout[i].n_dims, layout[i].shape,
                               tensor (net, i), error))
      return NULL;
  net->metadata = copy_metadata (cvl_safetensors_get_metadata (st));
  /* Models from before the key saw pixels in [0, 1] as they are. */
  if (!read_input_convention (net, error))
    return NULL;
  return g_steal_pointer (&net);
}

CvlNet *
cvl_net_load (const char *path,
              GError    **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  CvlNet *net;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Could not read the model: %s",
                   local->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (file);
  net = cvl_net_load_bytes (bytes, &local);
  if (net == NULL)
    {
      g_set_error (error, local->domain, local->code, "%s: %s", path, local->message);
      return NULL;
    }
  return net;
}

/* -- Workspace -------------------------------------------------------------- */

void
cvl_net_workspace_free (CvlNetWorkspace *ws)
{
  if (ws == NULL)
    return;
  cvl_nn_free (ws->x0);
  cvl_nn_free (ws->p1);
  g_free (ws->arg1);
  g_clear_pointer (&ws->conv2, cvl_nn_fft_conv_free);
  g_free (ws->arg2);
  cvl_nn_free (ws->flat);
  cvl_nn_free (ws->h);
  cvl_nn_free (ws->d);
  cvl_nn_free (ws->mask);
  cvl_nn_free (ws->z);
  cvl_nn_free (ws->dz);
  cvl_nn_free (ws->dd);
  cvl_nn_free (ws->dflat);
  cvl_nn_free (ws->dp1);
  g_free (ws);
}

CvlNetWorkspace *
cvl_net_workspace_new (int       capacity,
                       gboolean  training,
                       GError  **error)
{
  g_autoptr(CvlNetWorkspace) ws = g_new0 (CvlNetWorkspace, 1);
  gsize n = capacity;
  gboolean ok = TRUE;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (capacity < 1 || capacity > 1 << 16)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "A batch of %d images is not possible (1 to 65536)", capacity);
      return NULL;
    }
  ws->capacity = capacity;
  ws->training = training;

#define ALLOC(field, count) \
  G_STMT_START { if (ok) ok = (ws->field = cvl_nn_alloc ((count), error)) != NULL; } G_STMT_END
  ALLOC (x0, n * PIXELS);
  ALLOC (p1, n * C1 * S1 * S1);
  ALLOC (flat, n * FLAT);
  ALLOC (h, n * HIDDEN);
  ALLOC (d, n * HIDDEN);
  ALLOC (mask, n * HIDDEN);
  ALLOC (z, n * CLASSES);
  if (training)
    {
      ALLOC (dz, n * CLASSES);
      ALLOC (dd, n * HIDDEN);
      ALLOC (dflat, n * FLAT);
      ALLOC (dp1, n * C1 * S1 * S1);
    }
#undef ALLOC
  if (!ok)
    return NULL;
  {
    CvlConvShape s2 = { capacity, C1, C2, S1, S1, K };

    ws->conv2 = cvl_nn_fft_conv_new (&s2, error);
    if (ws->conv2 == NULL)
      return NULL;
  }
  ws->arg1 = g_malloc (n * C1 * S1 * S1);
  ws->arg2 = g_malloc (n * FLAT);
  return g_steal_pointer (&ws);
}

int
cvl_net_workspace_get_capacity (CvlNetWorkspace *ws)
{
  return ws->capacity;
}

/* -- Passes ----------------------------------------------------------------- */

static const float *
forward (CvlNet          *net,
         CvlNetWorkspace *ws,
         const float     *images,
         int              n,
         float            keep,
         CvlRng          *rng,
         const float     *fc_t)
{
  CvlConvShape s1 = { n, 1, C1, SIDE, SIDE, K };

  g_return_val_if_fail (net != NULL && ws != NULL && images != NULL, NULL);
  g_return_val_if_fail (n >= 1 && n <= ws->capacity, NULL);

  /* [N,1,28,28] is also [1,N,28,28]: no transpose into the first layer. */
  {
    float mean = net->in_mean, scale = 1.f / net->in_std;

    for (gsize i = 0; i < (gsize) n * PIXELS; i++)
      ws->x0[i] = (images[i] - mean) * scale;
  }
  cvl_nn_conv1_pool_forward (&s1, ws->x0, tensor (net, CONV1_W), tensor (net, CONV1_B),
                             ws->p1, ws->arg1);
  /* Straight into [N, 64·7·7]: torch's x.view(N, -1) of an NCHW tensor. */
  cvl_nn_fft_conv_forward_pool (ws->conv2, n, ws->p1, tensor (net, CONV2_W),
                                tensor (net, CONV2_B), ws->flat, ws->arg2, TRUE);

  if (fc_t != NULL)
    cvl_nn_dense_forward_sparse (n, FLAT, HIDDEN, ws->flat, fc_t, tensor (net, FC_B), ws->h);
  else
    cvl_nn_dense_forward (n, FLAT, HIDDEN, ws->flat, tensor (net, FC_W), tensor (net, FC_B),
                          ws->h);
  cvl_nn_relu_forward (ws->h, ws->h, (gsize) n * HIDDEN);
  if (rng != NULL)
    cvl_nn_dropout_forward (ws->h, ws->d, ws->mask, (gsize) n * HIDDEN, keep, rng);
  else
    memcpy (ws->d, ws->h, (gsize) n * HIDDEN * sizeof (float));
  cvl_nn_dense_forward (n, HIDDEN, CLASSES, ws->d, tensor (net, LOGITS_W),
                        tensor (net, LOGITS_B), ws->z);
  return ws->z;
}

const float *
cvl_net_forward (CvlNet          *net,
                 CvlNetWorkspace *ws,
                 const float     *images,
                 int              n,
                 float            keep,
                 CvlRng          *rng)
{
  return forward (net, ws, images, n, keep, rng, NULL);
}

double
cvl_net_train_batch (CvlNet          *net,
                     CvlNetWorkspace *ws,
                     const float     *images,
                     const guint8    *labels,
                     int              n,
                     float            keep,
                     CvlRng          *rng,
                     float           *grads,
                     int             *correct)
{
  CvlConvShape s1 = { n, 1, C1, SIDE, SIDE, K };
  double loss;

  g_return_val_if_fail (ws->training, NAN);
  g_return_val_if_fail (rng != NULL && grads != NULL, NAN);

  cvl_net_forward (net, ws, images, n, keep, rng);
  loss = cvl_nn_softmax_xent (n, CLASSES, ws->z, labels, NULL, ws->dz, correct);

  cvl_nn_dense_backward (n, HIDDEN, CLASSES, ws->d, tensor (net, LOGITS_W), ws->dz,
                         grads + layout[LOGITS_W].offset, grads + layout[LOGITS_B].offset,
                         ws->dd);
  cvl_nn_dropout_backward (ws->dd, ws->mask, ws->dd, (gsize) n * HIDDEN);
  cvl_nn_relu_backward (ws->h, ws->dd, ws->dd, (gsize) n * HIDDEN);
  cvl_nn_dense_backward (n, FLAT, HIDDEN, ws->flat, tensor (net, FC_W), ws->dd,
                         grads + layout[FC_W].offset, grads + layout[FC_B].offset,
                         ws->dflat);

  cvl_nn_fft_conv_backward_pool (ws->conv2, ws->dflat, ws->flat, ws->arg2, TRUE,
                                 grads + layout[CONV2_W].offset,
                                 grads + layout[CONV2_B].offset, ws->dp1);
  cvl_nn_conv1_pool_backward (&s1, ws->x0, ws->p1, ws->arg1, ws->dp1,
                              grads + layout[CONV1_W].offset, grads + layout[CONV1_B].offset);
  return loss;
}

void
cvl_net_predict (CvlNet      *net,
                 const float *images,
                 int          n,
                 float       *probs)
{
  g_return_if_fail (net != NULL && images != NULL && probs != NULL);
  g_return_if_fail (n >= 0);

  if (n == 0)
    return;
  if (net->predict == NULL || net->predict->capacity < MIN (n, PREDICT_CHUNK))
    {
      g_clear_pointer (&net->predict, cvl_net_workspace_free);
      net->predict = cvl_net_workspace_new (MIN (n, PREDICT_CHUNK), FALSE, NULL);
      g_return_if_fail (net->predict != NULL);
    }

  for (int first = 0; first < n; first += net->predict->capacity)
    {
      int count = MIN (net->predict->capacity, n - first);
      const float *z;

      /* Drawing: one image at a time, where reading the fc weights is the
       * cost; the transposed copy lets the zeros of its input skip rows. */
      if (count <= SPARSE_MAX && !net->params_lent && net->fc_t == NULL)
        {
          net->fc_t = cvl_nn_alloc ((gsize) FLAT * HIDDEN, NULL);
          if (net->fc_t != NULL)
            for (int o = 0; o < HIDDEN; o++)
              for (int i = 0; i < FLAT; i++)
                net->fc_t[(gsize) i * HIDDEN + o] = tensor (net, FC_W)[(gsize) o * FLAT + i];
        }
      z = forward (net, net->predict, images + (gsize) first * PIXELS, count, 1.f, NULL,
                   count <= SPARSE_MAX ? net->fc_t : NULL);

      memcpy (probs + (gsize) first * CLASSES, z, (gsize) count * CLASSES * sizeof (float));
      cvl_nn_softmax (count, CLASSES, probs + (gsize) first * CLASSES);
    }
}
