/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CvlPlot's insides, shared by its files: cvl-plot.c (series, properties,
 * hover, the widget), cvl-plot-render.c (layout cache and drawing) and
 * cvl-plot-export.c (PNG, SVG, CSV). */
#pragma once

#include "cvl-plot-math.h"
#include "cvl-plot.h"

G_BEGIN_DECLS

#define N_COLOURS   6     /* series colours, then they repeat */
#define MAX_TICKS   64
#define MAX_MINOR   128

typedef struct
{
  char         *name;
  gboolean      smoothed;
  gboolean      markers;
  GArray       *points;      /* CvlPlotPoint */
  CvlEma        ema;
  gboolean      ordered[3];  /* x never decreased, per CvlPlotXAxis */
  /* value ranges of the finite points, for the y axis */
  double        lo, hi, lo_positive;
  double        x_lo[3], x_hi[3];
} Series;

typedef struct
{
  double lo, hi;              /* drawn range; log10 of the values on a log axis */
  int    n_major, n_minor;
  double major[MAX_TICKS];    /* in the units of lo and hi */
  double minor[MAX_MINOR];
  char   labels[MAX_TICKS][24];
} Axis;

/* A series' line in pixels: a decimated polyline, or for data denser than
 * the pixels a band from y (top) to bottom, one entry per pixel column. NaN
 * breaks either. */
typedef struct
{
  gsize   n;
  double *x, *y;
  double *bottom;             /* NULL for a polyline */
} Polyline;

/* Everything draw() needs for one size; dropped whenever it would change. */
typedef struct
{
  int       width, height;
  gboolean  has_data;
  double    left, top, right, bottom;  /* the plot frame */
  double    legend_y, title_y;
  Axis      x, y;
  Polyline *raw, *smooth;              /* [n_series] */
  guint     n_series;
} Geometry;

typedef struct
{
  GdkRGBA fg, bg, tooltip_bg, series[N_COLOURS];
} Palette;

struct _CvlPlot
{
  GtkWidget     parent_instance;

  GPtrArray    *series;       /* Series* */
  double        smoothing;
  gboolean      log_scale;
  CvlPlotXAxis  x_axis;
  char         *title;
  char         *y_label;

  Geometry     *geometry;     /* NULL when stale */
  gboolean      hovering;
  double        hover_x;      /* data x of the point under the cursor */
  double       *scratch;      /* [5, capacity]: pixels, then the reduced line */
  gsize         scratch_capacity;
};

static inline double
cvl_plot_point_x (const CvlPlotPoint *p,
                  CvlPlotXAxis        axis)
{
  return axis == CVL_PLOT_X_STEP ? p->step : axis == CVL_PLOT_X_EPOCH ? p->epoch : p->seconds;
}

/* cvl-plot-render.c */
void        cvl_plot_geometry_free      (Geometry     *g);
/* The cached layout for width × height, rebuilt when stale or resized. */
Geometry   *cvl_plot_ensure_geometry    (CvlPlot      *self,
                                         int           width,
                                         int           height);
void        cvl_plot_palette_from_style (CvlPlot      *self,
                                         gboolean      for_export,
                                         Palette      *p);
void        cvl_plot_draw_full          (CvlPlot      *self,
                                         cairo_t      *cr,
                                         int           width,
                                         int           height,
                                         gboolean      with_hover);
void        cvl_plot_format_x           (CvlPlotXAxis  axis,
                                         char         *buf,
                                         gsize         size,
                                         double        x);
const char *cvl_plot_x_axis_title       (CvlPlotXAxis  axis);

/* cvl-plot.c: the read-out's cells, [rows, 4] strings (name, value, raw
 * value or "", x); series_of_row[n_series] receives each row's series. */
char      **cvl_plot_hover_cells        (CvlPlot      *self,
                                         guint        *n_rows,
                                         guint        *series_of_row);

G_END_DECLS
