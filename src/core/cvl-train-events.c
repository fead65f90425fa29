/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Trainer records → TensorBoard events, for the CLI (written as it drains)
 * and the Train page (a writer thread fed through a GAsyncQueue, so the
 * page's frame callback never waits for the disk). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-train-events.h"

#define TILE_SCALE 4
#define TILE_GAP 2
#define TILE_SIDE (5 * TILE_SCALE)
#define N_FILTERS 32

G_STATIC_ASSERT (CVL_FILTERS_IMAGE_W == 8 * TILE_SIDE + 9 * TILE_GAP);
G_STATIC_ASSERT (CVL_FILTERS_IMAGE_H == 4 * TILE_SIDE + 5 * TILE_GAP);

void
cvl_train_events_filters_image (const float *conv1,
                                guint8      *pixels)
{
  memset (pixels, 0, CVL_FILTERS_IMAGE_W * CVL_FILTERS_IMAGE_H);
  for (int f = 0; f < N_FILTERS; f++)
    {
      const float *k = conv1 + f * 25;
      float lo = k[0], hi = k[0];
      int x0 = TILE_GAP + (f % 8) * (TILE_SIDE + TILE_GAP);
      int y0 = TILE_GAP + (f / 8) * (TILE_SIDE + TILE_GAP);

      for (int i = 1; i < 25; i++)
        {
          lo = MIN (lo, k[i]);
          hi = MAX (hi, k[i]);
        }
      for (int y = 0; y < TILE_SIDE; y++)
        for (int x = 0; x < TILE_SIDE; x++)
          {
            float v = k[(y / TILE_SCALE) * 5 + x / TILE_SCALE];

            pixels[(y0 + y) * CVL_FILTERS_IMAGE_W + x0 + x] =
              hi > lo ? (guint8) lrintf (255.f * (v - lo) / (hi - lo)) : 128;
          }
    }
}

static gboolean
write_epoch (CvlTfEvents          *events,
             const CvlEpochRecord *r,
             const float          *conv1,
             GError              **error)
{
  g_autofree guint8 *pixels = g_malloc (CVL_FILTERS_IMAGE_W * CVL_FILTERS_IMAGE_H);

  if (!cvl_tfevents_add_scalar (events, "epoch/loss", r->step, r->loss, error) ||
      !cvl_tfevents_add_scalar (events, "epoch/train_accuracy", r->step, r->train_accuracy,
                                error) ||
      (!isnan (r->test_accuracy) &&
       !cvl_tfevents_add_scalar (events, "epoch/test_accuracy", r->step, r->test_accuracy,
                                 error)))
    return FALSE;
  cvl_train_events_filters_image (conv1, pixels);
  return cvl_tfevents_add_image (events, "conv1/filters", r->step, pixels, CVL_FILTERS_IMAGE_W,
                                 CVL_FILTERS_IMAGE_H, 1, error);
}

gboolean
cvl_train_events_write (CvlTfEvents  *events,
                        const GArray *steps,
                        const GArray *epochs,
                        const float  *conv1,
                        GError      **error)
{
  g_return_val_if_fail (events != NULL, FALSE);
  g_return_val_if_fail (epochs == NULL || epochs->len == 0 || conv1 != NULL, FALSE);

  for (guint i = 0; steps != NULL && i < steps->len; i++)
    {
      const CvlStepRecord *r = &g_array_index (steps, CvlStepRecord, i);

      if (!cvl_tfevents_add_scalar (events, "loss", r->step, r->loss, error) ||
          !cvl_tfevents_add_scalar (events, "batch_accuracy", r->step, r->batch_accuracy,
                                    error))
        return FALSE;
    }
  for (guint i = 0; epochs != NULL && i < epochs->len; i++)
    if (!write_epoch (events, &g_array_index (epochs, CvlEpochRecord, i), conv1, error))
      return FALSE;
  return TRUE;
}

/* -- The writer thread ---------------------------------------------------- */

typedef struct
{
  GArray  *steps;    /* or NULL */
  GArray  *epochs;   /* or NULL */
  float   *conv1;    /* [32,1,5,5] with epochs, else NULL */
  gboolean quit;
} Batch;

struct _CvlTrainEvents
{
  CvlTfEvents *events;
  GThread     *thread;
  GAsyncQueue *queue;    /* Batch */
  GMutex       lock;
  GError      *error;    /* the first failed write, until checked */
  gboolean     failed;
};

static void
batch_free (Batch *batch)
{
  g_clear_pointer (&batch->steps, g_array_unref);
  g_clear_pointer (&batch->epochs, g_array_unref);
  g_free (batch->conv1);
  g_free (batch);
}

static gpointer
writer_thread (gpointer data)
{
  CvlTrainEvents *writer = data;

  for (;;)
    {
      Batch *batch = g_async_queue_pop (writer->queue);
      GError *error = NULL;
      gboolean quit = batch->quit;

      if (!quit && !writer->failed &&
          !cvl_train_events_write (writer->events, batch->steps, batch->epochs, batch->conv1,
                                   &error))
        {
          g_mutex_lock (&writer->lock);
          writer->failed = TRUE;
          writer->error = error;
          g_mutex_unlock (&writer->lock);
        }
      batch_free (batch);
      if (quit)
        return NULL;
    }
}

CvlTrainEvents *
cvl_train_events_new (const char  *dir,
                      GError     **error)
{
  CvlTrainEvents *writer;
  CvlTfEvents *events;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  events = cvl_tfevents_new (dir, error);
  if (events == NULL)
    return NULL;
  writer = g_new0 (CvlTrainEvents, 1);
  writer->events = events;
  writer->queue = g_async_queue_new ();
  g_mutex_init (&writer->lock);
  writer->thread = g_thread_new ("cvl-tensorboard", writer_thread, writer);
  return writer;
}

const char *
cvl_train_events_get_path (CvlTrainEvents *writer)
{
  g_return_val_if_fail (writer != NULL, NULL);
  return cvl_tfevents_get_path (writer->events);
}

static GArray *
copy_array (const GArray *array,
            gsize         element_size)
{
  GArray *copy;

  if (array == NULL || array->len == 0)
    return NULL;
  copy = g_array_sized_new (FALSE, FALSE, element_size, array->len);
  g_array_append_vals (copy, array->data, array->len);
  return copy;
}

void
cvl_train_events_push (CvlTrainEvents *writer,
                       const GArray   *steps,
                       const GArray   *epochs,
                       const float    *conv1)
{
  Batch *batch;

  g_return_if_fail (writer != NULL);
  g_return_if_fail (epochs == NULL || epochs->len == 0 || conv1 != NULL);

  batch = g_new0 (Batch, 1);
  batch->steps = copy_array (steps, sizeof (CvlStepRecord));
  batch->epochs = copy_array (epochs, sizeof (CvlEpochRecord));
  if (batch->epochs == NULL && batch->steps == NULL)
    {
      batch_free (batch);
      return;
    }
  if (batch->epochs != NULL)
    batch->conv1 = g_memdup2 (conv1, N_FILTERS * 25 * sizeof (float));
  g_async_queue_push (writer->queue, batch);
}

gboolean
cvl_train_events_check (CvlTrainEvents  *writer,
                        GError         **error)
{
  GError *failure;

  g_return_val_if_fail (writer != NULL, FALSE);

  g_mutex_lock (&writer->lock);
  failure = g_steal_pointer (&writer->error);
  g_mutex_unlock (&writer->lock);
  if (failure != NULL)
    {
      g_propagate_error (error, failure);
      return FALSE;
    }
  return TRUE;
}

void
cvl_train_events_free (CvlTrainEvents *writer)
{
  Batch *quit;

  if (writer == NULL)
    return;
  quit = g_new0 (Batch, 1);
  quit->quit = TRUE;
  g_async_queue_push (writer->queue, quit);
  g_thread_join (writer->thread);
  g_async_queue_unref (writer->queue);
  g_mutex_clear (&writer->lock);
  g_clear_error (&writer->error);
  cvl_tfevents_free (writer->events);
  g_free (writer);
}
