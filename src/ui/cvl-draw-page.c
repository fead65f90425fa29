/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Draw page. Every change of the ink schedules a classification on a
 * worker (one in flight; the newest change waits and replaces older ones), so
 * strokes never wait for the network. A job renders nothing on the worker:
 * the canvas is rasterised on the main thread (a few hundred µs), the
 * preprocessing and the network run off it. */
#include "config.h"

#define G_LOG_DOMAIN "Convolve"

#include <glib/gi18n.h>

#include "cvl-bundled-model.h"
#include "cvl-digit.h"
#include "cvl-draw-canvas.h"
#include "cvl-draw-page.h"
#include "cvl-error.h"
#include "cvl-image-input.h"
#include "cvl-imageio.h"
#include "cvl-matrix-view.h"
#include "cvl-net.h"
#include "cvl-net-features.h"
#include "cvl-net-ref.h"
#include "cvl-prob-bars.h"
#include "cvl-window.h"

#define RASTER_SIDE 280   /* the canvas is read at 10× MNIST's resolution */

struct _CvlDrawPage
{
  GtkWidget      parent_instance;

  CvlDrawCanvas *canvas;
  CvlProbBars   *bars;
  CvlMatrixView *input_view, *conv1_view, *conv2_view;
  GtkLabel      *digit_label, *confidence_label, *pipeline_label, *source_label;
  GtkSwitch     *center_switch;
  AdwActionRow  *model_row, *follow_row;
  GtkSwitch     *follow_switch;
  GtkScale      *brush_scale;
  GtkWidget     *maps_group;

  CvlNetRef     *model;          /* the one classifying: own_model or trained */
  CvlNetRef     *own_model;      /* bundled or loaded from a file */
  CvlNetRef     *trained;        /* the Train page's newest, or NULL */
  float         *picture;        /* an opened picture's luma, or NULL: the canvas is the input */
  int            picture_w, picture_h;
  char          *picture_name;

  gboolean       in_flight, pending;
  int            jobs;           /* loads and classifications running */
  guint          classify_count;
  int            digit;
  float          confidence;
};

G_DEFINE_FINAL_TYPE (CvlDrawPage, cvl_draw_page, GTK_TYPE_WIDGET)

/* ---- classifying -------------------------------------------------------- */

typedef struct
{
  CvlNetRef    *model;
  float        *gray;        /* width × height, ink bright */
  int           width, height;
  gboolean      center_by_mass;
  /* results */
  float         input[CVL_DIGIT_SIDE * CVL_DIGIT_SIDE];
  float         probs[CVL_NET_CLASSES];
  CvlDigitInfo  info;
  float         conv1[CVL_NET_CONV1_MAPS * 28 * 28];
  float         conv2[CVL_NET_CONV2_MAPS * 14 * 14];
} ClassifyJob;

/* Lays `n` maps of side × side out as a grid of `cols` tiles with a 1-pixel
 * gap, each scaled by its own maximum so weak maps still show. Returns the
 * mosaic ([rows·(side+1)−1, cols·(side+1)−1]) and its size. */
static float *
mosaic (const float *maps, int n, int side, int cols, int *width, int *height)
{
  int rows = (n + cols - 1) / cols;
  float *out;

  *width = cols * (side + 1) - 1;
  *height = rows * (side + 1) - 1;
  out = g_new0 (float, (gsize) *width * *height);
  for (int m = 0; m < n; m++)
    {
      const float *map = maps + (gsize) m * side * side;
      int x0 = (m % cols) * (side + 1), y0 = (m / cols) * (side + 1);
      float max = 0;

      for (int i = 0; i < side * side; i++)
        max = MAX (max, map[i]);
      for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
          out[(gsize) (y0 + y) * *width + x0 + x] = max > 0 ? map[y * side + x] / max : 0;
    }
  return out;
}

static void
classify_job_free (ClassifyJob *job)
{
  g_clear_pointer (&job->model, cvl_net_ref_release);
  g_free (job->gray);
  g_free (job);
}

static void
classify_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ClassifyJob *job = task_data;
  GError *error = NULL;

  if (!cvl_digit_preprocess (job->gray, job->width, job->height, job->center_by_mass,
                             job->input, &job->info, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->info.found)
    {
      cvl_net_predict (cvl_net_ref_get_net (job->model), job->input, 1, job->probs);
      cvl_net_feature_maps (cvl_net_ref_get_net (job->model), job->input, job->conv1, job->conv2);
    }
  g_task_return_boolean (task, TRUE);
}

static void request_classify (CvlDrawPage *self);

static void
show_prediction (CvlDrawPage *self,
                 ClassifyJob *job)
{
  g_autofree char *digit = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pipeline = NULL;
  int best = 0;

  cvl_matrix_view_set_data (self->input_view, job->input, CVL_DIGIT_SIDE, CVL_DIGIT_SIDE,
                            CVL_MAP_CLAMP);
  if (!job->info.found)
    {
      /* No ink: no guess at all, rather than a confident "1". */
      self->digit = -1;
      gtk_widget_set_visible (self->maps_group, FALSE);
      cvl_prob_bars_set (self->bars, NULL);
      gtk_label_set_text (self->digit_label, "–");
      gtk_label_set_text (self->confidence_label, self->picture != NULL
                          ? _("No digit found in this picture.")
                          : _("Draw a digit to see what the network thinks."));
      gtk_label_set_text (self->pipeline_label, "");
      return;
    }
  for (int i = 1; i < CVL_NET_CLASSES; i++)
    if (job->probs[i] > job->probs[best])
      best = i;
  {
    int w, h;
    g_autofree float *m1 = mosaic (job->conv1, CVL_NET_CONV1_MAPS, 28, 8, &w, &h);
    g_autofree float *m2 = NULL;

    cvl_matrix_view_set_data (self->conv1_view, m1, h, w, CVL_MAP_CLAMP);
    m2 = mosaic (job->conv2, CVL_NET_CONV2_MAPS, 14, 8, &w, &h);
    cvl_matrix_view_set_data (self->conv2_view, m2, h, w, CVL_MAP_CLAMP);
    gtk_widget_set_visible (self->maps_group, TRUE);
  }
  self->digit = best;
  self->confidence = job->probs[best];
  g_debug ("prediction %d %.3f", best, job->probs[best]);
  cvl_prob_bars_set (self->bars, job->probs);
  digit = g_strdup_printf ("%d", best);
  gtk_label_set_text (self->digit_label, digit);
  text = g_strdup_printf (_("%.1f%% sure it is a %d"), 100.0 * job->probs[best], best);
  gtk_label_set_text (self->confidence_label, text);
  pipeline = g_strdup_printf (_("Ink box: %d × %d px of %d × %d\n"
                                "Fitted into 20 × 20, keeping its aspect\n"
                                "Centre of mass in 28 × 28: (%.1f, %.1f)%s%s"),
                              job->info.x1 - job->info.x0, job->info.y1 - job->info.y0,
                              job->width, job->height, job->info.com_x, job->info.com_y,
                              job->info.inverted ? _("\nDark ink on light: inverted") : "",
                              job->info.n_blobs > 2
                              ? _("\nSeveral separate marks: is this one digit?") : "");
  gtk_label_set_text (self->pipeline_label, pipeline);
}

static void
classify_done (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  CvlDrawPage *self = CVL_DRAW_PAGE (object);
  g_autoptr (GError) error = NULL;

  self->jobs--;
  self->in_flight = FALSE;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    cvl_toast (GTK_WIDGET (self), _("Could not classify: %s"), error->message);
  else
    {
      show_prediction (self, g_task_get_task_data (G_TASK (res)));
      self->classify_count++;
    }
  if (self->pending)
    request_classify (self);
}

static void
request_classify (CvlDrawPage *self)
{
  g_autoptr (GTask) task = NULL;
  ClassifyJob *job;

  if (self->model == NULL)
    return;
  if (self->in_flight)
    {
      self->pending = TRUE;   /* the newest ink goes next */
      return;
    }
  self->pending = FALSE;

  job = g_new0 (ClassifyJob, 1);
  job->model = cvl_net_ref_acquire (self->model);
  job->center_by_mass = gtk_switch_get_active (self->center_switch);
  if (self->picture != NULL)
    {
      job->width = self->picture_w;
      job->height = self->picture_h;
      job->gray = g_memdup2 (self->picture, sizeof (float) * job->width * job->height);
    }
  else
    {
      job->width = job->height = RASTER_SIDE;
      job->gray = cvl_draw_canvas_render (self->canvas, RASTER_SIDE);
    }
  task = g_task_new (self, NULL, classify_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) classify_job_free);
  self->in_flight = TRUE;
  self->jobs++;
  g_task_run_in_thread (task, classify_thread);
}

static void
on_canvas_changed (CvlDrawCanvas *canvas,
                   CvlDrawPage   *self)
{
  /* Drawing takes over from an opened picture. */
  if (self->picture != NULL && !cvl_draw_canvas_is_empty (canvas))
    {
      g_clear_pointer (&self->picture, g_free);
      gtk_label_set_text (self->source_label, _("Or open, drop or paste a picture of a digit."));
    }
  request_classify (self);
}

static void
on_center_changed (GtkSwitch   *sw,
                   GParamSpec  *pspec,
                   CvlDrawPage *self)
{
  request_classify (self);
}

static void
on_brush_changed (GtkRange    *range,
                  CvlDrawPage *self)
{
  cvl_draw_canvas_set_brush (self->canvas, gtk_range_get_value (range));
}

/* ---- models ------------------------------------------------------------- */

static void
load_model_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  CvlNet *net = cvl_net_load (path, &error);
  g_autofree char *name = NULL;
  CvlNetRef *model;

  if (net == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  name = g_path_get_basename (path);
  model = cvl_net_ref_new (net, name);
  g_task_return_pointer (task, model, (GDestroyNotify) cvl_net_ref_release);
}

static void
load_model_done (GObject      *object,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  CvlDrawPage *self = CVL_DRAW_PAGE (object);
  g_autoptr (GError) error = NULL;
  CvlNetRef *model = g_task_propagate_pointer (G_TASK (res), &error);
  gboolean bundled = GPOINTER_TO_INT (user_data);

  self->jobs--;
  if (model == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Could not use this model: %s"), error->message);
      return;
    }
  g_clear_pointer (&self->own_model, cvl_net_ref_release);
  self->own_model = model;
  g_clear_pointer (&self->model, cvl_net_ref_release);
  self->model = cvl_net_ref_acquire (model);
  /* A model picked by hand wins over following the Train page. */
  gtk_switch_set_active (self->follow_switch, FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->model_row),
                                 bundled ? _("Bundled model") : cvl_net_ref_get_name (model));
  adw_action_row_set_subtitle (self->model_row, bundled
                               ? _("Trained by Convolve on MNIST with the lecture’s settings")
                               : _("Loaded from a file"));
  request_classify (self);
}

static void
start_model_load (CvlDrawPage *self,
                  const char  *path,
                  gboolean     bundled)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, load_model_done, GINT_TO_POINTER (bundled));

  g_task_set_task_data (task, g_strdup (path), g_free);
  self->jobs++;
  g_task_run_in_thread (task, load_model_thread);
}

void
cvl_draw_page_load_model (CvlDrawPage *self,
                          GFile       *file)
{
  g_return_if_fail (CVL_IS_DRAW_PAGE (self));
  if (g_file_peek_path (file) == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("Convolve can only open local files."));
      return;
    }
  start_model_load (self, g_file_peek_path (file), FALSE);
}

const char *
cvl_draw_page_bundled_model_path (void)
{
  static char *path;   /* found once: the files do not move while the app runs */

  if (g_once_init_enter (&path))
    {
      const char *env = g_getenv ("CONVOLVE_MODEL");
      char *found = NULL;

      if (env != NULL && g_file_test (env, G_FILE_TEST_IS_REGULAR))
        found = g_strdup (env);
      else
        found = cvl_bundled_model_find (NULL);
      /* g_once_init_leave () takes no NULL: "" stands for not found. */
      g_once_init_leave (&path, found != NULL ? found : g_strdup (""));
    }
  return path[0] != '\0' ? path : NULL;
}

void
cvl_draw_page_load_bundled (CvlDrawPage *self)
{
  const char *path = cvl_draw_page_bundled_model_path ();

  if (path == NULL)
    {
      cvl_toast (GTK_WIDGET (self), _("The bundled model is missing from this installation."));
      return;
    }
  start_model_load (self, path, TRUE);
}

/* Which model classifies: the Train page's when following it, else our own. */
static void
choose_model (CvlDrawPage *self)
{
  gboolean follow = gtk_switch_get_active (self->follow_switch) && self->trained != NULL;
  CvlNetRef *model = follow ? self->trained : self->own_model;

  if (model == self->model)
    return;
  g_clear_pointer (&self->model, cvl_net_ref_release);
  if (model != NULL)
    self->model = cvl_net_ref_acquire (model);
  if (follow)
    adw_action_row_set_subtitle (self->follow_row, cvl_net_ref_get_name (self->trained));
  request_classify (self);
}

static void
on_follow_changed (GtkSwitch   *sw,
                   GParamSpec  *pspec,
                   CvlDrawPage *self)
{
  if (!gtk_switch_get_active (sw))
    adw_action_row_set_subtitle (self->follow_row,
                                 _("The network on the Train page, updated as it learns"));
  choose_model (self);
}

void
cvl_draw_page_set_trained_net (CvlDrawPage *self,
                               CvlNetRef   *net)
{
  g_return_if_fail (CVL_IS_DRAW_PAGE (self));
  g_clear_pointer (&self->trained, cvl_net_ref_release);
  gtk_widget_set_visible (GTK_WIDGET (self->follow_row), net != NULL);
  if (net != NULL)
    self->trained = cvl_net_ref_acquire (net);
  else
    gtk_switch_set_active (self->follow_switch, FALSE);
  choose_model (self);
}

gboolean
cvl_draw_page_following_training (CvlDrawPage *self)
{
  return gtk_switch_get_active (self->follow_switch) && self->trained != NULL &&
         self->model == self->trained;
}

gboolean
cvl_draw_page_has_model (CvlDrawPage *self)
{
  return self->model != NULL;
}

static void
model_file_cb (GtkWidget *widget,
               GFile     *file)
{
  cvl_draw_page_load_model (CVL_DRAW_PAGE (widget), file);
}

static void
open_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  cvl_choose_file (widget, _("Open Model"), "safetensors", model_file_cb);
}

static void
bundled_model_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  cvl_draw_page_load_bundled (CVL_DRAW_PAGE (widget));
}

/* ---- pictures ----------------------------------------------------------- */

typedef struct
{
  GFile  *file;
  GBytes *bytes;
  char   *name;
  float  *gray;
  int     width, height;
} PictureJob;

static void
picture_job_free (PictureJob *job)
{
  g_clear_object (&job->file);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_free (job->name);
  g_free (job->gray);
  g_free (job);
}

static void
picture_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PictureJob *job = task_data;
  g_autoptr (CvlImage) image = NULL;
  g_autoptr (CvlImage) luma = NULL;
  GError *error = NULL;

  if (job->file != NULL && g_file_peek_path (job->file) == NULL)
    error = g_error_new (CVL_ERROR, CVL_ERROR_IO, _("Convolve can only open local files."));
  else if (job->file != NULL)
    image = cvl_imageio_load (g_file_peek_path (job->file), &error);
  else
    image = cvl_imageio_load_bytes (job->bytes, job->name, &error);
  if (image == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The preprocessing finds the background and inverts dark-on-light. */
  luma = cvl_image_to_luma (image);
  job->width = luma->width;
  job->height = luma->height;
  job->gray = g_memdup2 (luma->data, sizeof (float) * luma->width * luma->height);
  g_task_return_boolean (task, TRUE);
}

static void
show_picture (CvlDrawPage *self,
              float       *gray,   /* transfer full */
              int          width,
              int          height,
              const char  *name)
{
  g_autofree char *text = NULL;

  cvl_draw_canvas_clear (self->canvas);
  g_free (self->picture);
  self->picture = gray;
  self->picture_w = width;
  self->picture_h = height;
  text = g_strdup_printf (_("Classifying “%s”. Draw on the canvas to go back to drawing."),
                          name);
  gtk_label_set_text (self->source_label, text);
  request_classify (self);
}

void
cvl_draw_page_open_pixels (CvlDrawPage  *self,
                           const guint8 *pixels,
                           int           width,
                           int           height,
                           const char   *name)
{
  float *gray;

  g_return_if_fail (CVL_IS_DRAW_PAGE (self) && pixels != NULL && width > 0 && height > 0);
  gray = g_new (float, (gsize) width * height);
  for (gsize i = 0; i < (gsize) width * height; i++)
    gray[i] = pixels[i] / 255.f;
  show_picture (self, gray, width, height, name);
}

static void
picture_done (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  CvlDrawPage *self = CVL_DRAW_PAGE (object);
  PictureJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr (GError) error = NULL;

  self->jobs--;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      cvl_toast (GTK_WIDGET (self), "%s", error->message);
      return;
    }
  show_picture (self, g_steal_pointer (&job->gray), job->width, job->height, job->name);
}

static void
start_picture (CvlDrawPage *self,
               PictureJob  *job)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, picture_done, NULL);

  g_task_set_task_data (task, job, (GDestroyNotify) picture_job_free);
  self->jobs++;
  g_task_run_in_thread (task, picture_thread);
}

void
cvl_draw_page_open_file (CvlDrawPage *self,
                         GFile       *file)
{
  PictureJob *job = g_new0 (PictureJob, 1);

  job->file = g_object_ref (file);
  job->name = g_file_get_basename (file);
  start_picture (self, job);
}

void
cvl_draw_page_open_bytes (CvlDrawPage *self,
                          GBytes      *bytes,
                          const char  *name)
{
  PictureJob *job = g_new0 (PictureJob, 1);

  job->bytes = g_bytes_ref (bytes);
  job->name = g_strdup (name);
  start_picture (self, job);
}

static void
picture_file_cb (GtkWidget *widget,
                 GFile     *file)
{
  cvl_draw_page_open_file (CVL_DRAW_PAGE (widget), file);
}

static void
picture_bytes_cb (GtkWidget  *widget,
                  GBytes     *png,
                  const char *name)
{
  cvl_draw_page_open_bytes (CVL_DRAW_PAGE (widget), png, name);
}

static void
open_picture_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  cvl_choose_file (widget, _("Open a Picture of a Digit"), NULL, picture_file_cb);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  cvl_paste_image (widget, picture_file_cb, picture_bytes_cb);
}

/* ---- canvas actions ----------------------------------------------------- */

static void
canvas_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CvlDrawPage *self = CVL_DRAW_PAGE (widget);

  if (g_str_equal (action_name, "draw.undo"))
    cvl_draw_canvas_undo (self->canvas);
  else if (g_str_equal (action_name, "draw.redo"))
    cvl_draw_canvas_redo (self->canvas);
  else
    {
      cvl_draw_canvas_clear (self->canvas);
      g_clear_pointer (&self->picture, g_free);
      request_classify (self);
    }
}

/* ---- public ------------------------------------------------------------- */

int
cvl_draw_page_get_prediction (CvlDrawPage *self,
                              float       *confidence)
{
  if (confidence != NULL)
    *confidence = self->digit >= 0 ? self->confidence : 0.f;
  return self->digit;
}

guint
cvl_draw_page_get_classify_count (CvlDrawPage *self)
{
  return self->classify_count;
}

gboolean
cvl_draw_page_is_busy (CvlDrawPage *self)
{
  return self->jobs > 0 || self->pending;
}

static void
cvl_draw_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), CVL_TYPE_DRAW_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (cvl_draw_page_parent_class)->dispose (object);
}

static void
cvl_draw_page_finalize (GObject *object)
{
  CvlDrawPage *self = CVL_DRAW_PAGE (object);

  g_clear_pointer (&self->model, cvl_net_ref_release);
  g_clear_pointer (&self->own_model, cvl_net_ref_release);
  g_clear_pointer (&self->trained, cvl_net_ref_release);
  g_clear_pointer (&self->picture, g_free);
  G_OBJECT_CLASS (cvl_draw_page_parent_class)->finalize (object);
}

static void
cvl_draw_page_class_init (CvlDrawPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cvl_draw_page_dispose;
  object_class->finalize = cvl_draw_page_finalize;

  g_type_ensure (CVL_TYPE_DRAW_CANVAS);
  g_type_ensure (CVL_TYPE_PROB_BARS);
  g_type_ensure (CVL_TYPE_MATRIX_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/convolve/Convolve/ui/cvl-draw-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, CvlDrawPage, name)
  CHILD (canvas); CHILD (bars); CHILD (input_view); CHILD (digit_label);
  CHILD (confidence_label); CHILD (pipeline_label); CHILD (source_label);
  CHILD (center_switch); CHILD (model_row); CHILD (brush_scale);
  CHILD (follow_row); CHILD (follow_switch);
  CHILD (conv1_view); CHILD (conv2_view); CHILD (maps_group);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_canvas_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_center_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_brush_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_follow_changed);

  gtk_widget_class_install_action (widget_class, "draw.undo", NULL, canvas_action);
  gtk_widget_class_install_action (widget_class, "draw.redo", NULL, canvas_action);
  gtk_widget_class_install_action (widget_class, "draw.clear", NULL, canvas_action);
  gtk_widget_class_install_action (widget_class, "draw.open-model", NULL, open_model_action);
  gtk_widget_class_install_action (widget_class, "draw.open", NULL, open_picture_action);
  gtk_widget_class_install_action (widget_class, "draw.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "draw.bundled-model", NULL, bundled_model_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "draw.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "draw.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "draw.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "draw.clear", NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cvl_draw_page_init (CvlDrawPage *self)
{
  self->digit = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
  cvl_add_drop_target (GTK_WIDGET (self), picture_file_cb, picture_bytes_cb);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  if (cvl_draw_page_bundled_model_path () != NULL)
    cvl_draw_page_load_bundled (self);
}
