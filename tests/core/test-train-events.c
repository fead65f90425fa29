/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Trainer records as TensorBoard events: the writer thread leaves the same
 * records as writing in place (2 per step, 3–4 per epoch, after the
 * version record), and conv1's filter image spans 0–255 per tile with black
 * gaps. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cvl-train-events.h"

/* Records in a TFRecord file, framing walked to the exact end. */
static int
count_records (const char *path)
{
  g_autofree char *data = NULL;
  gsize len, pos = 0;
  int n = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  while (pos < len)
    {
      guint64 size;

      g_assert_cmpuint (pos + 12, <=, len);
      memcpy (&size, data + pos, 8);
      size = GUINT64_FROM_LE (size);
      g_assert_cmpuint (pos + 16 + size, <=, len);
      pos += 16 + size;
      n++;
    }
  g_assert_cmpuint (pos, ==, len);
  return n;
}

static void
fill (GArray *steps, GArray *epochs, float *conv1)
{
  for (int i = 1; i <= 10; i++)
    {
      CvlStepRecord r = { .step = i, .loss = 2.f / i, .batch_accuracy = i / 10.f };

      g_array_append_val (steps, r);
    }
  for (int e = 1; e <= 2; e++)
    {
      CvlEpochRecord r = { .epoch = e, .step = 5 * e, .loss = 1.f / e, .train_accuracy = 0.5,
                           .test_accuracy = e == 1 ? NAN : 0.75 };

      g_array_append_val (epochs, r);
    }
  for (int i = 0; i < 32 * 25; i++)
    conv1[i] = sinf (i * 0.37f);
}

static void
test_writer_thread_matches_in_place (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cvl-train-events-XXXXXX", NULL);
  g_autofree char *a = g_build_filename (dir, "a", NULL), *b = g_build_filename (dir, "b", NULL);
  g_autoptr(GArray) steps = g_array_new (FALSE, FALSE, sizeof (CvlStepRecord));
  g_autoptr(GArray) epochs = g_array_new (FALSE, FALSE, sizeof (CvlEpochRecord));
  g_autoptr(GError) error = NULL;
  g_autofree char *path_a = NULL, *path_b = NULL;
  float conv1[32 * 25];
  CvlTfEvents *events;
  CvlTrainEvents *writer;

  fill (steps, epochs, conv1);
  events = cvl_tfevents_new (a, &error);
  g_assert_no_error (error);
  g_assert_true (cvl_train_events_write (events, steps, epochs, conv1, &error));
  path_a = g_strdup (cvl_tfevents_get_path (events));
  cvl_tfevents_free (events);

  writer = cvl_train_events_new (b, &error);
  g_assert_no_error (error);
  cvl_train_events_push (writer, steps, NULL, NULL);
  cvl_train_events_push (writer, NULL, epochs, conv1);
  cvl_train_events_push (writer, NULL, NULL, NULL);   /* nothing: nothing queued */
  g_assert_true (cvl_train_events_check (writer, &error));
  path_b = g_strdup (cvl_train_events_get_path (writer));
  cvl_train_events_free (writer);   /* writes the queue, then joins */

  /* 1 version + 10 × 2 step scalars + epoch 1: 2 scalars, image; epoch 2: 3, image */
  g_assert_cmpint (count_records (path_a), ==, 1 + 20 + 3 + 4);
  g_assert_cmpint (count_records (path_b), ==, count_records (path_a));
  g_unlink (path_a);
  g_unlink (path_b);
  g_rmdir (a);
  g_rmdir (b);
  g_rmdir (dir);
}

static void
test_filters_image (void)
{
  g_autofree guint8 *px = g_malloc (CVL_FILTERS_IMAGE_W * CVL_FILTERS_IMAGE_H);
  float conv1[32 * 25];

  for (int i = 0; i < 32 * 25; i++)
    conv1[i] = (i % 25) * (i / 25 + 1);   /* tile f: 0 … 24(f+1) */
  cvl_train_events_filters_image (conv1, px);
  for (int f = 0; f < 32; f++)
    {
      int x0 = 2 + (f % 8) * 22, y0 = 2 + (f / 8) * 22;

      g_assert_cmpint (px[y0 * CVL_FILTERS_IMAGE_W + x0], ==, 0);
      g_assert_cmpint (px[(y0 + 19) * CVL_FILTERS_IMAGE_W + x0 + 19], ==, 255);
      g_assert_cmpint (px[(y0 - 1) * CVL_FILTERS_IMAGE_W + x0], ==, 0);   /* gap */
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/train-events/writer-thread-matches-in-place",
                   test_writer_thread_matches_in_place);
  g_test_add_func ("/core/train-events/filters-image", test_filters_image);
  return g_test_run ();
}
