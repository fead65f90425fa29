/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A metrics plot in the manner of TensorBoard's scalar charts: series of
 * values over training steps, epochs or wall time, with debiased EMA
 * smoothing, a log scale, a hover read-out, and PNG, SVG and CSV export. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  CVL_PLOT_X_STEP,
  CVL_PLOT_X_EPOCH,   /* fractional: 2.5 is half-way through the third epoch */
  CVL_PLOT_X_TIME,    /* wall-clock seconds since the start, shown as m:ss */
} CvlPlotXAxis;

#define CVL_TYPE_PLOT_X_AXIS (cvl_plot_x_axis_get_type ())
GType cvl_plot_x_axis_get_type (void);

/* One stored point. `smoothed` is the EMA for smoothed series, else `value`. */
typedef struct
{
  double step;
  double epoch;
  double seconds;
  double value;
  double smoothed;
} CvlPlotPoint;

#define CVL_TYPE_PLOT (cvl_plot_get_type ())
G_DECLARE_FINAL_TYPE (CvlPlot, cvl_plot, CVL, PLOT, GtkWidget)

GtkWidget   *cvl_plot_new            (void);

/* Adds a series; returns its index. `smoothed`: the EMA smoothing applies to
 * it (raw drawn faint, smoothed bold). `markers`: draw its points (for sparse
 * series such as per-epoch test accuracy). */
guint        cvl_plot_add_series     (CvlPlot    *self,
                                      const char *name,
                                      gboolean    smoothed,
                                      gboolean    markers);
guint        cvl_plot_get_n_series   (CvlPlot    *self);
const char  *cvl_plot_get_series_name (CvlPlot   *self,
                                      guint       series);
/* Points are appended in training order: x on each axis should not decrease
 * (hover lookups are fastest then; out-of-order points still draw). Values
 * that are not finite are kept (and exported) but not drawn. */
void         cvl_plot_append         (CvlPlot    *self,
                                      guint       series,
                                      double      step,
                                      double      epoch,
                                      double      seconds,
                                      double      value);
/* Removes all points and keeps the series. */
void         cvl_plot_clear          (CvlPlot    *self);
guint        cvl_plot_get_n_points   (CvlPlot    *self,
                                      guint       series);
gboolean     cvl_plot_get_point      (CvlPlot      *self,
                                      guint         series,
                                      guint         index,
                                      CvlPlotPoint *point);
/* The index of the point of `series` whose x (on the current x axis) is
 * nearest to `x`; FALSE if the series has no points. */
gboolean     cvl_plot_find_nearest   (CvlPlot    *self,
                                      guint       series,
                                      double      x,
                                      guint      *index);

/* Properties. */
void         cvl_plot_set_smoothing  (CvlPlot      *self,
                                      double        smoothing); /* 0 … 0.999 */
double       cvl_plot_get_smoothing  (CvlPlot      *self);
void         cvl_plot_set_log_scale  (CvlPlot      *self,
                                      gboolean      log_scale);  /* the y axis */
gboolean     cvl_plot_get_log_scale  (CvlPlot      *self);
void         cvl_plot_set_x_axis     (CvlPlot      *self,
                                      CvlPlotXAxis  x_axis);
CvlPlotXAxis cvl_plot_get_x_axis     (CvlPlot      *self);
void         cvl_plot_set_title      (CvlPlot      *self,
                                      const char   *title);
const char  *cvl_plot_get_title      (CvlPlot      *self);
void         cvl_plot_set_y_label    (CvlPlot      *self,
                                      const char   *y_label);
const char  *cvl_plot_get_y_label    (CvlPlot      *self);

/* Where data point (x, y) lands in a width × height drawing; FALSE when
 * nothing is plotted or y cannot be shown (≤ 0 on a log scale). */
gboolean     cvl_plot_data_to_pixel  (CvlPlot    *self,
                                      int         width,
                                      int         height,
                                      double      x,
                                      double      y,
                                      double     *px,
                                      double     *py);

/* The hover cursor: the x (current axis) of the point nearest the pointer,
 * FALSE when the pointer is not over the plot. The text is what the
 * in-plot read-out shows, one line per series (NULL when not hovering). */
gboolean     cvl_plot_get_hover      (CvlPlot    *self,
                                      double     *x);
char        *cvl_plot_dup_hover_text (CvlPlot    *self);

/* Draws the plot as the widget shows it (hover read-out included), without
 * a background. Used by snapshot, export and tests. */
void         cvl_plot_draw           (CvlPlot    *self,
                                      cairo_t    *cr,
                                      int         width,
                                      int         height);

typedef enum
{
  CVL_PLOT_EXPORT_PNG,
  CVL_PLOT_EXPORT_SVG,
  /* Every point of every series, with the header
   * series,step,epoch,seconds,value,smoothed */
  CVL_PLOT_EXPORT_CSV,
} CvlPlotExportFormat;

/* Exports replace `file` atomically: on error the old file is untouched. The
 * images have the view background and no hover read-out; width and height
 * are ignored for CSV. */
gboolean     cvl_plot_export         (CvlPlot             *self,
                                      CvlPlotExportFormat  format,
                                      GFile               *file,
                                      int                  width,
                                      int                  height,
                                      GError             **error);

/* The same export with the encoding and writing on a worker: the call
 * records the drawing (or copies the points) and returns. */
void         cvl_plot_export_async   (CvlPlot             *self,
                                      CvlPlotExportFormat  format,
                                      GFile               *file,
                                      int                  width,
                                      int                  height,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean     cvl_plot_export_finish  (CvlPlot             *self,
                                      GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
