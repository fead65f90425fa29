/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ten horizontal bars, one per digit, with the network's probabilities; the
 * most likely digit stands out in the accent colour. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CVL_TYPE_PROB_BARS (cvl_prob_bars_get_type ())
G_DECLARE_FINAL_TYPE (CvlProbBars, cvl_prob_bars, CVL, PROB_BARS, GtkWidget)

GtkWidget *cvl_prob_bars_new   (void);
/* probs: 10 values summing to 1, or NULL to show empty bars. */
void       cvl_prob_bars_set   (CvlProbBars *self,
                                const float *probs);
void       cvl_prob_bars_draw  (CvlProbBars *self,
                                cairo_t     *cr,
                                int          width,
                                int          height);

G_END_DECLS
