/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TensorBoard event files, written without TensorFlow: TFRecord framing
 * with masked CRC-32C around each serialised Event protobuf.
 *
 * A record:  uint64 LE length | uint32 LE masked CRC-32C of those 8 bytes |
 *            data | uint32 LE masked CRC-32C of data,
 * mask (crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8.
 * Event:     1 wall_time (double), 2 step (int64), 3 file_version (string,
 *            "brain.Event:2", first record only), 5 summary (Summary).
 * Summary:   1 value (repeated Value); Value: 1 tag, 2 simple_value (float),
 *            4 image (Image: 1 height, 2 width, 3 colorspace, 4 PNG bytes). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), and TFRecord's mask. */
guint32 cvl_crc32c      (const guint8 *data,
                         gsize         len);
guint32 cvl_crc32c_mask (guint32       crc);

typedef struct _CvlTfEvents CvlTfEvents;

/* Creates `dir` if needed and a new events.out.tfevents.<unixtime>.<hostname>
 * in it (an existing name gets a numeric suffix, never overwritten), with
 * the file_version record written. */
CvlTfEvents *cvl_tfevents_new        (const char   *dir,
                                      GError      **error);
const char  *cvl_tfevents_get_path   (CvlTfEvents  *events);
/* Each adds one Event record and flushes it, so TensorBoard can read the
 * file while training goes on. */
gboolean     cvl_tfevents_add_scalar (CvlTfEvents  *events,
                                      const char   *tag,
                                      gint64        step,
                                      float         value,
                                      GError      **error);
/* pixels: [height, width, channels] bytes (1 gray, 3 RGB, 4 RGBA), stored
 * as a PNG. */
gboolean     cvl_tfevents_add_image  (CvlTfEvents  *events,
                                      const char   *tag,
                                      gint64        step,
                                      const guint8 *pixels,
                                      int           width,
                                      int           height,
                                      int           channels,
                                      GError      **error);
void         cvl_tfevents_free       (CvlTfEvents  *events);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CvlTfEvents, cvl_tfevents_free)

G_END_DECLS
