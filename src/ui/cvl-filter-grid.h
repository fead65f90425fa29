/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A grid of small signed tiles: a layer's filters (conv1's 32 5×5 kernels,
 * conv2's 64 for one input channel) or feature maps, nearest-neighbour,
 * with 0 neutral. Clicking a tile activates it. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CVL_TYPE_FILTER_GRID (cvl_filter_grid_get_type ())
G_DECLARE_FINAL_TYPE (CvlFilterGrid, cvl_filter_grid, CVL, FILTER_GRID, GtkWidget)

GtkWidget *cvl_filter_grid_new            (void);

/* values: [n, h, w], copied; NULL (or n = 0) empties the grid. Cheap enough
 * to call every frame for a few hundred small tiles. */
void       cvl_filter_grid_set_data       (CvlFilterGrid   *self,
                                           const float     *values,
                                           int              n,
                                           int              h,
                                           int              w);
int        cvl_filter_grid_get_n_tiles    (CvlFilterGrid   *self);
gboolean   cvl_filter_grid_get_value      (CvlFilterGrid   *self,
                                           int              tile,
                                           int              row,
                                           int              col,
                                           float           *value);

/* Properties. shared-scale (default TRUE): one symmetric scale, max |v| over
 * all tiles; FALSE scales each tile by its own max |v|. columns: 0 picks a
 * tidy count (32 → 8 × 4). selected: a tile outlined in the accent colour,
 * or −1. show-labels: each tile's index under it. */
void       cvl_filter_grid_set_shared_scale (CvlFilterGrid *self,
                                             gboolean       shared_scale);
gboolean   cvl_filter_grid_get_shared_scale (CvlFilterGrid *self);
void       cvl_filter_grid_set_columns    (CvlFilterGrid   *self,
                                           int              columns);
int        cvl_filter_grid_get_columns    (CvlFilterGrid   *self);
void       cvl_filter_grid_set_selected   (CvlFilterGrid   *self,
                                           int              tile);
int        cvl_filter_grid_get_selected   (CvlFilterGrid   *self);
void       cvl_filter_grid_set_show_labels (CvlFilterGrid  *self,
                                            gboolean        show_labels);
gboolean   cvl_filter_grid_get_show_labels (CvlFilterGrid  *self);

/* Layout of a width × height drawing: the tile and cell under (x, y)
 * (FALSE over a gap or outside), and where a tile is drawn. */
gboolean   cvl_filter_grid_locate         (CvlFilterGrid   *self,
                                           int              width,
                                           int              height,
                                           double           x,
                                           double           y,
                                           int             *tile,
                                           int             *row,
                                           int             *col);
gboolean   cvl_filter_grid_get_tile_area  (CvlFilterGrid   *self,
                                           int              width,
                                           int              height,
                                           int              tile,
                                           graphene_rect_t *area);

void       cvl_filter_grid_draw           (CvlFilterGrid   *self,
                                           cairo_t         *cr,
                                           int              width,
                                           int              height);

/* Signals:
 *   hover (int tile, int row, int col): the cell under the pointer, or −1s.
 *   tile-activated (int tile): a tile was clicked or Enter pressed on the
 *     selected one. */

G_END_DECLS
