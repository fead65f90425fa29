/* SPDX-License-Identifier: GPL-3.0-or-later */
/* State shared by the Kernels page's files: cvl-kernel-page.c (controls,
 * settings), cvl-kernel-page-render.c (render jobs) and cvl-kernel-page-io.c
 * (open, save, copy, paste, drop, kernel pictures). */
#pragma once

#include "cvl-conv.h"
#include "cvl-error.h"
#include "cvl-kernel-gen.h"
#include "cvl-matrix-view.h"
#include "cvl-image-view.h"
#include "cvl-inspector.h"
#include "cvl-kernel-grid.h"
#include "cvl-kernel-page.h"

G_BEGIN_DECLS

/* An input image and its display surface; immutable once made and shared
 * with render workers by reference (g_atomic_rc_box). */
typedef struct
{
  CvlImage        *image;     /* 3 or 4 channels */
  cairo_surface_t *surface;
  guint8          *pixels;    /* the surface's buffer, owned by the surface */
  gsize            capacity;
  char            *name;      /* for titles and the save dialog: "chelsea" */
} CvlSource;

/* One render: the unmapped values, their alpha, the display surface, and
 * where the result sits over the input. Reused for the next render once it is
 * off screen (big buffers are expensive to fault in). */
typedef struct
{
  CvlImage        *values;
  CvlImage        *alpha;
  cairo_surface_t *surface;
  guint8          *pixels;
  gsize            capacity;
  CvlMap           map;
  CvlConvGeometry  geometry;
  CvlConvOptions   options;
  CvlEngine        engine;    /* the engine that ran */
  gboolean         preview;   /* computed at screen density; full resolution follows */
  double           conv_ms;
  double           total_ms;
  int              busy;      /* atomic: a save or copy is reading it */
} CvlResult;

struct _CvlKernelPage
{
  GtkWidget       parent_instance;

  /* template widgets */
  CvlImageView   *view;
  GtkFlowBox     *presets_box;
  CvlKernelGrid  *grid;
  GtkLabel       *kernel_status_label;
  GtkSpinButton  *rows_spin, *cols_spin;
  GtkEntry       *divisor_entry, *offset_entry;
  AdwComboRow    *padding_row, *border_row, *channels_row, *map_row;
  GtkSpinButton  *stride_h_spin, *stride_w_spin, *dilation_h_spin, *dilation_w_spin;
  GtkSwitch      *flip_switch;
  GtkLabel       *size_label, *status_label, *zoom_label, *inspect_label;
  CvlInspector   *inspector;
  GtkWidget      *inspector_panel;
  GtkLabel       *inspect_title;
  AdwComboRow    *inspect_channel;
  GtkStack       *kernel_stack;
  CvlMatrixView  *heatmap, *spectrum;
  GtkLabel       *heatmap_label, *spectrum_label;
  GtkCheckButton *spectrum_log;
  GtkFlowBox     *generators_box;
  GtkListBox     *gen_params;
  GtkDropDown    *engine_dropdown;
  int             spectrum_n;        /* DFT size shown */
  float           spectrum_max_gain; /* to read |H| back from the display */
  float           spectrum_dc_gain;

  /* what is being shown */
  CvlSource      *source;
  CvlKernel      *kernel;        /* the last valid kernel */
  char           *preset_id;     /* the preset it started from */
  CvlConvOptions  options;
  CvlMap          map;
  CvlEngine       engine;        /* what the user asked for (AUTO by default) */
  char           *generator_id;  /* the generator the kernel came from, if untouched */
  double          gen_values[CVL_GEN_MAX_PARAMS];
  GSettings      *settings;
  gulong          engine_changed_id; /* the engine can change in Preferences */
  gboolean        syncing;       /* widgets being set from state: no feedback */

  /* rendering */
  GCancellable   *render_cancellable;
  guint64         generation;
  CvlResult      *result;        /* on screen */
  GMutex          spare_lock;
  CvlResult      *spare;         /* recycled for the next render */
  guint           render_count;
  guint           preview_count;
  int             jobs_in_flight;

  double          hover_x, hover_y;
  gboolean        hovering;
};

void       cvl_source_release    (CvlSource     *source);
CvlSource *cvl_source_new        (CvlImage      *image,
                                  const char    *name);
void       cvl_result_release    (CvlResult     *result);
void       cvl_kernel_page_set_source (CvlKernelPage *self,
                                       CvlSource     *source);
void       cvl_kernel_page_io_init    (CvlKernelPage *self);
/* cvl-kernel-page-render.c */
void       cvl_kernel_page_request_render   (CvlKernelPage   *self);
void       cvl_result_placement             (const CvlResult *result,
                                             double          *x0,
                                             double          *y0);
/* cvl-kernel-page.c */
void       cvl_kernel_page_update_inspector (CvlKernelPage   *self);
void       cvl_kernel_page_kernel_from_image_action (GtkWidget  *widget,
                                                     const char *action_name,
                                                     GVariant   *param);
/* Replaces the kernel (transfer full); keep_generator says it came from the
 * active generator's parameters, any other change detaches the generator. */
void       cvl_kernel_page_take_kernel (CvlKernelPage *self,
                                        CvlKernel     *kernel,
                                        gboolean       keep_generator);

G_END_DECLS
