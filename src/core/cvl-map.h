/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Turns an unmapped float result into 8-bit RGBA pixels for display or PNG,
 * with one of the CvlMap rules (defined in cvl-kernel.h). */
#pragma once

#include "cvl-image.h"
#include "cvl-kernel.h"

G_BEGIN_DECLS

/* values: 1 channel (gray) or 3 (RGB); alpha: NULL or 1 channel of the same
 * size. Writes values->width × values->height RGBA pixels into `pixels`
 * (premultiplied = FALSE) with the given row stride in bytes.
 *   CLAMP     v → clamp(v, 0, 1)
 *   ABS       v → clamp(|v|, 0, 1)
 *   NORMALIZE v → (v − min) / (max − min) over all channels (flat → 0.5)
 *   SIGNED    0 → neutral; gray uses a diverging blue–white–red map scaled by
 *             max |v|; RGB maps each channel to 0.5 + v / (2·max |v|). */
void cvl_map_to_rgba8 (const CvlImage *values,
                       const CvlImage *alpha,
                       CvlMap          map,
                       guint8         *pixels,
                       gsize           stride);

const char *cvl_map_to_string   (CvlMap      map);     /* "clamp", "abs", ... */
gboolean    cvl_map_from_string (const char *text,
                                 CvlMap     *map);

G_END_DECLS
