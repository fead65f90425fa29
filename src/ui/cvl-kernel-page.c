/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Kernels page: keeps the last valid kernel, the conv options and the
 * active generator, keeps the controls, heat map, spectrum, size formula and
 * pixel inspector in step with them, asks for a render on every change (see
 * cvl-kernel-page-render.c) and remembers everything in GSettings. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cvl-kernel-page-private.h"
#include "cvl-map.h"
#include "cvl-spectrum.h"
#include "cvl-surface.h"
#include "cvl-window.h"

G_DEFINE_FINAL_TYPE (CvlKernelPage, cvl_kernel_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_VIEW_MODE, PROP_INPUT_NAME, N_PROPS };

/* The engine menu's rows, in order. */
static const CvlEngine engine_order[] = {
  CVL_ENGINE_AUTO, CVL_ENGINE_DIRECT, CVL_ENGINE_SEPARABLE, CVL_ENGINE_FFT,
};
static GParamSpec *properties[N_PROPS];
static const char *view_modes[] = { "original", "split", "result" };


/* ---- read-outs -------------------------------------------------------- */

static void
update_size_label (CvlKernelPage *self)
{
  g_autofree char *text = NULL;

  if (self->source == NULL || self->kernel == NULL)
    return;
  text = cvl_conv_describe_size (self->source->image->height, self->source->image->width,
                                 self->kernel->height, self->kernel->width, &self->options);
  gtk_label_set_text (self->size_label, text);
}

void
cvl_kernel_page_update_inspector (CvlKernelPage *self)
{
  CvlInspection inspection;
  const CvlResult *result = self->result;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  int channel = adw_combo_row_get_selected (self->inspect_channel);
  const char *channel_name;
  double x0, y0, wx, wy;
  int ox = -1, oy = -1;

  /* Inspect the result pixel drawn under the pointer, with the kernel and
   * options that produced it. */
  if (self->hovering && result != NULL && self->source != NULL)
    {
      cvl_result_placement (result, &x0, &y0);
      ox = (int) floor ((self->hover_x - x0) / result->options.stride_w);
      oy = (int) floor ((self->hover_y - y0) / result->options.stride_h);
    }
  if (!self->hovering || result == NULL || self->source == NULL || result->preview
      || !cvl_conv_inspect (self->source->image, self->kernel, &result->options,
                            channel, oy, ox, &inspection))
    {
      cvl_inspector_set_inspection (self->inspector, NULL);
      gtk_widget_set_visible (self->inspector_panel, FALSE);
      cvl_image_view_set_highlight (self->view, 0, 0, 0, 0);
      return;
    }

  /* Outline the window of input pixels the kernel reads (dilation included). */
  cvl_image_view_set_highlight (self->view,
                                ox * result->options.stride_w - result->geometry.pad_left,
                                oy * result->options.stride_h - result->geometry.pad_top,
                                result->geometry.k_eff_w, result->geometry.k_eff_h);

  channel_name = result->options.channels == CVL_CHANNELS_GRAY ? _("luma")
               : channel == 0 ? _("red") : channel == 1 ? _("green") : _("blue");
  title = g_strdup_printf (_("Output pixel x %d, y %d (%s)"), ox, oy, channel_name);
  text = g_strdup_printf (_("Σ weight × pixel = %.4g\n%.4g ÷ %g + %g = %.4g"),
                          inspection.sum, inspection.sum, inspection.divisor,
                          inspection.offset, inspection.result);
  cvl_inspector_set_inspection (self->inspector, &inspection);
  gtk_label_set_text (self->inspect_title, title);
  gtk_label_set_text (self->inspect_label, text);
  /* Keep the panel out of the way: on the side away from the pointer. */
  cvl_image_view_to_widget (self->view, self->hover_x, self->hover_y, &wx, &wy);
  gtk_widget_set_halign (self->inspector_panel,
                         wx < gtk_widget_get_width (GTK_WIDGET (self->view)) / 2.0
                         ? GTK_ALIGN_END : GTK_ALIGN_START);
  gtk_widget_set_visible (self->inspector_panel, TRUE);
}

static void
on_view_hover (CvlImageView  *view,
               double         x,
               double         y,
               gboolean       inside,
               CvlKernelPage *self)
{
  self->hovering = x >= 0 || y >= 0 ? TRUE : inside;
  self->hover_x = x;
  self->hover_y = y;
  cvl_kernel_page_update_inspector (self);
}

static void
on_view_zoom (CvlImageView  *view,
              GParamSpec    *pspec,
              CvlKernelPage *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f%%", cvl_image_view_get_zoom (view) * 100);

  gtk_label_set_text (self->zoom_label, text);
}

static void
on_inspect_channel_changed (AdwComboRow   *row,
                            GParamSpec    *pspec,
                            CvlKernelPage *self)
{
  cvl_kernel_page_update_inspector (self);
}

/* ---- heat map, spectrum, generators ---------------------------------- */

static gboolean
kernel_fits_grid (const CvlKernel *kernel)
{
  return kernel->width <= CVL_KERNEL_MAX_EDIT && kernel->height <= CVL_KERNEL_MAX_EDIT;
}

static void
show_spectrum_summary (CvlKernelPage *self)
{
  g_autofree char *text = g_strdup_printf (_("Gain at zero frequency (the weights’ sum): %.3g; "
                                             "largest gain: %.3g"),
                                           self->spectrum_dc_gain, self->spectrum_max_gain);

  gtk_label_set_text (self->spectrum_label, text);
}

/* The heat map of a kernel too big for the grid, and the spectrum of any. */
static void
update_kernel_views (CvlKernelPage *self)
{
  const CvlKernel *k = self->kernel;
  g_autoptr (CvlSpectrum) spectrum = NULL;
  g_autoptr (GError) error = NULL;
  int n = 64;

  if (!kernel_fits_grid (k))
    {
      gsize n_cells = (gsize) k->width * k->height;
      g_autofree float *shown = g_new (float, n_cells);
      float lo = 0, hi = 0;

      /* Mixed signs: 0 neutral. Otherwise 0 is black and the largest weight
       * white, so a flat box reads as uniformly bright, not mid-grey. */
      for (gsize i = 0; i < n_cells; i++)
        {
          lo = MIN (lo, k->values[i]);
          hi = MAX (hi, k->values[i]);
        }
      for (gsize i = 0; i < n_cells; i++)
        shown[i] = lo < 0 || hi <= 0 ? k->values[i] : k->values[i] / hi;
      cvl_matrix_view_set_data (self->heatmap, shown, k->height, k->width,
                                lo < 0 ? CVL_MAP_SIGNED : CVL_MAP_CLAMP);
      gtk_label_set_text (self->heatmap_label,
                          _("Point at the heat map to read a weight."));
    }
  while (n < MAX (k->width, k->height) * 2 && n < 512)
    n *= 2;
  spectrum = cvl_kernel_spectrum (k, n, gtk_check_button_get_active (self->spectrum_log), &error);
  if (spectrum == NULL)
    {
      gtk_label_set_text (self->spectrum_label, error->message);
      return;
    }
  self->spectrum_n = n;
  self->spectrum_max_gain = spectrum->max_gain;
  self->spectrum_dc_gain = spectrum->dc_gain;
  cvl_matrix_view_set_data (self->spectrum, spectrum->magnitude->data,
                            spectrum->magnitude->height, spectrum->magnitude->width, CVL_MAP_CLAMP);
  show_spectrum_summary (self);
}

static void
on_heatmap_hover (CvlMatrixView *view,
                  int            row,
                  int            col,
                  CvlKernelPage *self)
{
  g_autofree char *text = NULL;
  float value;

  /* The view holds display-scaled values: read the kernel itself. */
  if (!cvl_matrix_view_get_value (view, row, col, &value))
    {
      gtk_label_set_text (self->heatmap_label, _("Point at the heat map to read a weight."));
      return;
    }
  value = cvl_kernel_get (self->kernel, row, col);
  text = g_strdup_printf (_("Row %d, column %d: %.6g (÷ %g)"), row + 1, col + 1, value,
                          self->kernel->divisor);
  gtk_label_set_text (self->heatmap_label, text);
}

static void
on_spectrum_hover (CvlMatrixView *view,
                   int            row,
                   int            col,
                   CvlKernelPage *self)
{
  g_autofree char *text = NULL;
  int n = self->spectrum_n;
  double gain;
  float value;

  if (!cvl_matrix_view_get_value (view, row, col, &value))
    {
      show_spectrum_summary (self);
      return;
    }
  /* Undo the display scaling to read |H| back. */
  if (gtk_check_button_get_active (self->spectrum_log))
    gain = expm1 (value * log1p (self->spectrum_max_gain));
  else
    gain = value * self->spectrum_max_gain;
  /* Frequencies in cycles per pixel: 0 at the centre, ±0.5 at the edges. */
  text = g_strdup_printf (_("Frequency (%+.3f, %+.3f) cycles/pixel: gain %.3g"),
                          (double) (col - n / 2) / n, (double) (row - n / 2) / n, gain);
  gtk_label_set_text (self->spectrum_label, text);
}

static void
on_spectrum_log_toggled (GtkCheckButton *button,
                         CvlKernelPage  *self)
{
  update_kernel_views (self);
}

static void
on_engine_changed (GtkDropDown   *dropdown,
                   GParamSpec    *pspec,
                   CvlKernelPage *self);

/* ---- settings --------------------------------------------------------- */

static char *generator_spec (CvlKernelPage *self);
static void show_generator_params (CvlKernelPage *self);

#define SETTINGS_MAX_KERNEL 31

static void
save_settings (CvlKernelPage *self)
{
  g_autofree char *text = NULL;

  if (self->settings == NULL || self->kernel == NULL || self->syncing)
    return;
  g_settings_delay (self->settings);
  /* A generated kernel is stored as its recipe; a hand-made one as text,
   * unless it is too big to keep in a settings key. */
  if (self->generator_id != NULL)
    {
      g_autofree char *spec = generator_spec (self);

      g_settings_set_string (self->settings, "generator", spec);
    }
  else
    g_settings_set_string (self->settings, "generator", "");
  if (self->kernel->width <= SETTINGS_MAX_KERNEL && self->kernel->height <= SETTINGS_MAX_KERNEL)
    {
      text = cvl_kernel_to_text (self->kernel);
      g_settings_set_string (self->settings, "kernel", text);
    }
  g_settings_set_enum (self->settings, "engine", self->engine);
  g_settings_set_double (self->settings, "kernel-divisor", self->kernel->divisor);
  g_settings_set_double (self->settings, "kernel-offset", self->kernel->offset);
  g_settings_set_string (self->settings, "preset", self->preset_id ? self->preset_id : "");
  g_settings_set (self->settings, "stride", "(ii)", self->options.stride_h, self->options.stride_w);
  g_settings_set (self->settings, "dilation", "(ii)", self->options.dilation_h, self->options.dilation_w);
  g_settings_set_enum (self->settings, "padding", self->options.padding);
  g_settings_set_enum (self->settings, "border", self->options.border);
  g_settings_set_boolean (self->settings, "flip", self->options.flip);
  g_settings_set_enum (self->settings, "channels", self->options.channels);
  g_settings_set_enum (self->settings, "map", self->map);
  g_settings_apply (self->settings);
}

/* ---- state → widgets -------------------------------------------------- */

static void
set_entry_number (GtkEntry *entry,
                  float     value)
{
  g_autofree char *text = cvl_kernel_format_cell (value);
  float old;

  if (!cvl_kernel_parse_cell (gtk_editable_get_text (GTK_EDITABLE (entry)), &old, NULL) || old != value)
    gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), NULL);
}

/* Puts the state into the widgets without their handlers acting on it. */
static void
sync_widgets (CvlKernelPage *self)
{
  self->syncing = TRUE;
  if (kernel_fits_grid (self->kernel))
    cvl_kernel_grid_set_kernel (self->grid, self->kernel);
  gtk_stack_set_visible_child_name (self->kernel_stack,
                                    kernel_fits_grid (self->kernel) ? "grid" : "heatmap");
  for (guint i = 0; i < G_N_ELEMENTS (engine_order); i++)
    if (engine_order[i] == self->engine)
      gtk_drop_down_set_selected (self->engine_dropdown, i);
  gtk_spin_button_set_value (self->rows_spin, self->kernel->height);
  gtk_spin_button_set_value (self->cols_spin, self->kernel->width);
  set_entry_number (self->divisor_entry, self->kernel->divisor);
  set_entry_number (self->offset_entry, self->kernel->offset);
  adw_combo_row_set_selected (self->padding_row, self->options.padding);
  adw_combo_row_set_selected (self->border_row, self->options.border);
  gtk_widget_set_sensitive (GTK_WIDGET (self->border_row), self->options.padding == CVL_PADDING_SAME);
  gtk_spin_button_set_value (self->stride_h_spin, self->options.stride_h);
  gtk_spin_button_set_value (self->stride_w_spin, self->options.stride_w);
  gtk_spin_button_set_value (self->dilation_h_spin, self->options.dilation_h);
  gtk_spin_button_set_value (self->dilation_w_spin, self->options.dilation_w);
  gtk_switch_set_active (self->flip_switch, self->options.flip);
  adw_combo_row_set_selected (self->channels_row, self->options.channels);
  gtk_widget_set_sensitive (GTK_WIDGET (self->inspect_channel), self->options.channels == CVL_CHANNELS_RGB);
  adw_combo_row_set_selected (self->map_row, self->map);
  gtk_widget_set_visible (GTK_WIDGET (self->kernel_status_label), FALSE);
  self->syncing = FALSE;
}

/* The options changed in the state: show, render, remember. */
static void
state_changed (CvlKernelPage *self)
{
  update_size_label (self);
  cvl_kernel_page_request_render (self);
  save_settings (self);
}

/* The kernel itself changed: its heat map and spectrum too. */
static void
kernel_changed (CvlKernelPage *self)
{
  update_kernel_views (self);
  state_changed (self);
}

void
cvl_kernel_page_take_kernel (CvlKernelPage *self,
                             CvlKernel     *kernel,
                             gboolean       keep_generator)
{
  g_clear_pointer (&self->kernel, cvl_kernel_free);
  self->kernel = kernel;
  if (!keep_generator && self->generator_id != NULL)
    {
      g_clear_pointer (&self->generator_id, g_free);
      show_generator_params (self);
    }
  sync_widgets (self);
  kernel_changed (self);
}

void
cvl_kernel_page_set_kernel (CvlKernelPage   *self,
                            const CvlKernel *kernel,
                            CvlMap           map)
{
  g_return_if_fail (CVL_IS_KERNEL_PAGE (self) && kernel != NULL);

  g_clear_pointer (&self->preset_id, g_free);
  self->map = map;
  cvl_kernel_page_take_kernel (self, cvl_kernel_copy (kernel), FALSE);
}

static void
set_kernel (CvlKernelPage *self,
            CvlKernel     *kernel)   /* transfer full */
{
  cvl_kernel_page_take_kernel (self, kernel, FALSE);
}

/* ---- generators -------------------------------------------------------- */

static void
regenerate (CvlKernelPage *self)
{
  g_autoptr (GError) error = NULL;
  CvlKernel *kernel = cvl_kernel_generate (self->generator_id, self->gen_values, &error);

  if (kernel == NULL)
    {
      cvl_toast (GTK_WIDGET (self), "%s", error->message);
      return;
    }
  g_clear_pointer (&self->preset_id, g_free);
  cvl_kernel_page_take_kernel (self, kernel, TRUE);
}

static void
on_gen_param_changed (GtkSpinButton *spin,
                      CvlKernelPage *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (spin), "param-index"));

  if (self->generator_id == NULL || index >= CVL_GEN_MAX_PARAMS)
    return;
  self->gen_values[index] = gtk_spin_button_get_value (spin);
  regenerate (self);
}

/* One row with a spin button per parameter of the active generator. */
static void
show_generator_params (CvlKernelPage *self)
{
  const CvlGeneratorInfo *info = self->generator_id
    ? cvl_kernel_generator_info (self->generator_id) : NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->gen_params))) != NULL)
    gtk_list_box_remove (self->gen_params, child);
  gtk_widget_set_visible (GTK_WIDGET (self->gen_params), info != NULL);
  if (info == NULL)
    return;

  for (guint i = 0; i < info->n_params; i++)
    {
      const CvlGenParamInfo *p = &info->params[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *spin = gtk_spin_button_new_with_range (p->min, p->max, p->step);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(p->label));
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), p->digits);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), self->gen_values[i]);
      gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
      gtk_widget_set_name (spin, p->name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(p->label), -1);
      g_object_set_data (G_OBJECT (spin), "param-index", GUINT_TO_POINTER (i));
      g_signal_connect (spin, "value-changed", G_CALLBACK (on_gen_param_changed), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
      gtk_list_box_append (self->gen_params, row);
    }
}

void
cvl_kernel_page_apply_generator (CvlKernelPage *self,
                                 const char    *id)
{
  const CvlGeneratorInfo *info = cvl_kernel_generator_info (id);

  g_return_if_fail (CVL_IS_KERNEL_PAGE (self));
  if (info == NULL)
    return;
  /* Picking the active generator again keeps its parameters. */
  if (g_strcmp0 (self->generator_id, id) != 0)
    {
      g_free (self->generator_id);
      self->generator_id = g_strdup (id);
      for (guint i = 0; i < info->n_params; i++)
        self->gen_values[i] = info->params[i].value;
      show_generator_params (self);
    }
  self->map = info->map;
  regenerate (self);
}

static char *
generator_spec (CvlKernelPage *self)
{
  const CvlGeneratorInfo *info = cvl_kernel_generator_info (self->generator_id);
  GString *spec = g_string_new (self->generator_id);

  for (guint i = 0; i < info->n_params; i++)
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (spec, "%c%s=%s", i == 0 ? ':' : ',', info->params[i].name,
                              g_ascii_formatd (number, sizeof number, "%g", self->gen_values[i]));
    }
  return g_string_free (spec, FALSE);
}

void
cvl_kernel_page_apply_preset (CvlKernelPage *self,
                              const char    *id)
{
  g_autoptr (GError) error = NULL;
  CvlKernel *kernel = cvl_kernel_new_preset (id, &error);
  const CvlPresetInfo *info = cvl_kernel_preset_info (id);

  if (kernel == NULL)
    {
      cvl_toast (GTK_WIDGET (self), "%s", error->message);
      return;
    }
  g_free (self->preset_id);
  self->preset_id = g_strdup (id);
  self->map = info->map;
  set_kernel (self, kernel);
}

/* ---- widgets → state -------------------------------------------------- */

static void
on_grid_changed (CvlKernelGrid *grid,
                 CvlKernelPage *self)
{
  g_autoptr (GError) error = NULL;
  CvlKernel *kernel;

  if (self->syncing)
    return;
  kernel = cvl_kernel_grid_read (grid, &error);
  if (kernel == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%s — still showing the last valid kernel."),
                                               error->message);

      gtk_label_set_text (self->kernel_status_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->kernel_status_label), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->kernel_status_label), FALSE);
  kernel->divisor = self->kernel->divisor;
  kernel->offset = self->kernel->offset;
  if (cvl_kernel_equal (kernel, self->kernel))
    {
      cvl_kernel_free (kernel);
      return;
    }
  g_clear_pointer (&self->kernel, cvl_kernel_free);
  self->kernel = kernel;
  kernel_changed (self);
}

static void
on_size_changed (GtkSpinButton *spin,
                 CvlKernelPage *self)
{
  g_autoptr (CvlKernel) kernel = NULL;

  if (self->syncing)
    return;
  kernel = cvl_kernel_copy (self->kernel);
  if (!cvl_kernel_resize (kernel, gtk_spin_button_get_value_as_int (self->cols_spin),
                          gtk_spin_button_get_value_as_int (self->rows_spin), NULL))
    return;
  set_kernel (self, g_steal_pointer (&kernel));
}

/* Divisor and offset entries: a bad value marks the entry and keeps the last
 * valid one rendering. */
static gboolean
read_number_entry (GtkEntry *entry,
                   gboolean  nonzero,
                   float    *value)
{
  g_autoptr (GError) error = NULL;
  const char *message = NULL;

  if (!cvl_kernel_parse_cell (gtk_editable_get_text (GTK_EDITABLE (entry)), value, &error))
    message = error->message;
  else if (nonzero && fabsf (*value) < 1e-30f)
    message = _("The divisor cannot be 0.");

  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), message);
  if (message != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  return TRUE;
}

static void
on_divisor_changed (GtkEntry      *entry,
                    CvlKernelPage *self)
{
  float value;

  if (self->syncing || !read_number_entry (entry, TRUE, &value) || value == self->kernel->divisor)
    return;
  cvl_kernel_set_divisor (self->kernel, value, NULL);
  kernel_changed (self);
}

static void
on_offset_changed (GtkEntry      *entry,
                   CvlKernelPage *self)
{
  float value;

  if (self->syncing || !read_number_entry (entry, FALSE, &value) || value == self->kernel->offset)
    return;
  self->kernel->offset = value;
  state_changed (self);
}

static void
on_option_changed (GObject       *object,
                   GParamSpec    *pspec,
                   CvlKernelPage *self)
{
  if (self->syncing)
    return;
  self->options.padding = adw_combo_row_get_selected (self->padding_row);
  self->options.border = adw_combo_row_get_selected (self->border_row);
  self->options.stride_h = gtk_spin_button_get_value_as_int (self->stride_h_spin);
  self->options.stride_w = gtk_spin_button_get_value_as_int (self->stride_w_spin);
  self->options.dilation_h = gtk_spin_button_get_value_as_int (self->dilation_h_spin);
  self->options.dilation_w = gtk_spin_button_get_value_as_int (self->dilation_w_spin);
  self->options.flip = gtk_switch_get_active (self->flip_switch);
  self->options.channels = adw_combo_row_get_selected (self->channels_row);
  self->map = adw_combo_row_get_selected (self->map_row);
  gtk_widget_set_sensitive (GTK_WIDGET (self->border_row), self->options.padding == CVL_PADDING_SAME);
  gtk_widget_set_sensitive (GTK_WIDGET (self->inspect_channel), self->options.channels == CVL_CHANNELS_RGB);
  state_changed (self);
}

static void
on_engine_changed (GtkDropDown   *dropdown,
                   GParamSpec    *pspec,
                   CvlKernelPage *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->syncing || selected >= G_N_ELEMENTS (engine_order))
    return;
  self->engine = engine_order[selected];
  state_changed (self);
}

/* ---- actions ---------------------------------------------------------- */

static void
generator_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  cvl_kernel_page_apply_generator (CVL_KERNEL_PAGE (widget), g_variant_get_string (param, NULL));
}

static void
preset_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  cvl_kernel_page_apply_preset (CVL_KERNEL_PAGE (widget), g_variant_get_string (param, NULL));
}

static void
kernel_tool_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (widget);
  g_autoptr (CvlKernel) kernel = cvl_kernel_copy (self->kernel);

  if (g_str_equal (action_name, "kernels.normalize"))
    {
      if (!cvl_kernel_normalize (kernel))
        {
          cvl_toast (widget, _("The weights sum to 0, so there is nothing to divide by."));
          return;
        }
    }
  else if (g_str_equal (action_name, "kernels.flip"))
    cvl_kernel_flip (kernel);
  else if (g_str_equal (action_name, "kernels.transpose"))
    cvl_kernel_transpose (kernel);
  else if (g_str_equal (action_name, "kernels.rotate"))
    cvl_kernel_rotate (kernel);
  else if (g_str_equal (action_name, "kernels.reset"))
    {
      CvlKernel *preset = self->preset_id ? cvl_kernel_new_preset (self->preset_id, NULL) : NULL;

      g_clear_pointer (&kernel, cvl_kernel_free);
      kernel = preset ? preset : cvl_kernel_new_identity (3, 3);
    }
  set_kernel (self, g_steal_pointer (&kernel));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (widget);
  const char *suffix = strchr (action_name, '.') + 1;
  g_autofree char *view_action = g_strconcat ("view.", suffix, NULL);

  gtk_widget_activate_action (GTK_WIDGET (self->view), view_action, NULL);
}

/* ---- public API ------------------------------------------------------- */

void
cvl_kernel_page_set_source (CvlKernelPage *self,
                            CvlSource     *source)   /* transfer full */
{
  g_clear_pointer (&self->source, cvl_source_release);
  self->source = source;
  cvl_image_view_set_original (self->view, source->surface);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT_NAME]);
  cvl_image_view_set_result (self->view, NULL, 0, 0, 1, 1);
  g_clear_pointer (&self->result, cvl_result_release);
  update_size_label (self);
  cvl_kernel_page_request_render (self);
}

/* Preferences set the engine too: follow it live (our own writes of the
 * same value come back here and change nothing). */
static void
on_engine_setting_changed (GSettings     *settings,
                           const char    *key,
                           CvlKernelPage *self)
{
  CvlEngine engine = g_settings_get_enum (settings, "engine");

  if (engine == self->engine)
    return;
  self->engine = engine;
  sync_widgets (self);
  cvl_kernel_page_request_render (self);
}

void
cvl_kernel_page_set_settings (CvlKernelPage *self,
                              GSettings     *settings)
{
  g_autoptr (CvlKernel) kernel = NULL;
  g_autofree char *text = NULL;
  g_autofree char *preset = NULL;
  g_autofree char *generator = NULL;
  CvlConvOptions options;

  g_return_if_fail (CVL_IS_KERNEL_PAGE (self));
  if (self->settings != NULL)
    g_clear_signal_handler (&self->engine_changed_id, self->settings);
  g_set_object (&self->settings, settings);
  if (settings == NULL)
    return;
  self->engine_changed_id = g_signal_connect_object (settings, "changed::engine",
                                                     G_CALLBACK (on_engine_setting_changed),
                                                     self, 0);

  /* Anything out of range in the stored state falls back to the defaults:
   * settings can be edited by hand. */
  text = g_settings_get_string (settings, "kernel");
  generator = g_settings_get_string (settings, "generator");
  kernel = generator[0] ? cvl_kernel_parse_generator (generator, NULL) : NULL;
  if (kernel != NULL)
    {
      /* Restore the generator's parameters too, so its controls come back. */
      const CvlGeneratorInfo *info = NULL;
      g_auto (GStrv) parts = g_strsplit_set (generator, ":,", -1);

      info = cvl_kernel_generator_info (parts[0]);
      g_free (self->generator_id);
      self->generator_id = g_strdup (parts[0]);
      for (guint i = 0; i < info->n_params; i++)
        {
          self->gen_values[i] = info->params[i].value;
          for (guint j = 1; parts[j] != NULL; j++)
            if (g_str_has_prefix (parts[j], info->params[i].name)
                && parts[j][strlen (info->params[i].name)] == '=')
              self->gen_values[i] = g_ascii_strtod (parts[j] + strlen (info->params[i].name) + 1, NULL);
        }
      show_generator_params (self);
    }
  else
    kernel = cvl_kernel_parse (text, NULL);
  if (kernel == NULL
      || !cvl_kernel_set_divisor (kernel, g_settings_get_double (settings, "kernel-divisor"), NULL))
    {
      g_clear_pointer (&kernel, cvl_kernel_free);
      kernel = cvl_kernel_new_preset ("sharpen", NULL);
    }
  else
    {
      double offset = g_settings_get_double (settings, "kernel-offset");

      kernel->offset = isfinite (offset) ? offset : 0;
    }

  cvl_conv_options_init (&options);
  g_settings_get (settings, "stride", "(ii)", &options.stride_h, &options.stride_w);
  g_settings_get (settings, "dilation", "(ii)", &options.dilation_h, &options.dilation_w);
  options.padding = g_settings_get_enum (settings, "padding");
  options.border = g_settings_get_enum (settings, "border");
  options.flip = g_settings_get_boolean (settings, "flip");
  options.channels = g_settings_get_enum (settings, "channels");
  if (!cvl_conv_options_validate (&options, NULL))
    cvl_conv_options_init (&options);
  self->options = options;
  self->map = g_settings_get_enum (settings, "map");
  self->engine = g_settings_get_enum (settings, "engine");
  preset = g_settings_get_string (settings, "preset");
  g_free (self->preset_id);
  self->preset_id = cvl_kernel_preset_info (preset) ? g_strdup (preset) : NULL;

  self->syncing = TRUE;   /* don't write back what was just read */
  g_clear_pointer (&self->kernel, cvl_kernel_free);
  self->kernel = g_steal_pointer (&kernel);
  self->syncing = FALSE;
  sync_widgets (self);
  update_kernel_views (self);
  update_size_label (self);
  cvl_kernel_page_request_render (self);
}

gboolean
cvl_kernel_page_set_options (CvlKernelPage        *self,
                             const CvlConvOptions *options,
                             CvlMap                map)
{
  g_return_val_if_fail (CVL_IS_KERNEL_PAGE (self), FALSE);

  if (!cvl_conv_options_validate (options, NULL) || map > CVL_MAP_SIGNED)
    return FALSE;
  self->options = *options;
  self->map = map;
  sync_widgets (self);
  state_changed (self);
  return TRUE;
}

void
cvl_kernel_page_get_options (CvlKernelPage  *self,
                             CvlConvOptions *options,
                             CvlMap         *map)
{
  *options = self->options;
  *map = self->map;
}

const CvlImage *
cvl_kernel_page_get_input (CvlKernelPage *self)
{
  return self->source ? self->source->image : NULL;
}

const char *
cvl_kernel_page_get_input_name (CvlKernelPage *self)
{
  return self->source ? self->source->name : NULL;
}

const CvlKernel *
cvl_kernel_page_get_kernel (CvlKernelPage *self)
{
  return self->kernel;
}

const CvlImage *
cvl_kernel_page_get_result (CvlKernelPage *self)
{
  return self->result ? self->result->values : NULL;
}

guint
cvl_kernel_page_get_render_count (CvlKernelPage *self)
{
  return self->render_count;
}

guint
cvl_kernel_page_get_preview_count (CvlKernelPage *self)
{
  return self->preview_count;
}

gboolean
cvl_kernel_page_is_busy (CvlKernelPage *self)
{
  return self->jobs_in_flight > 0;
}

/* ---- GObject ---------------------------------------------------------- */

static void
cvl_kernel_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);

  switch (prop_id)
    {
    case PROP_VIEW_MODE:
      g_value_set_string (value, view_modes[cvl_image_view_get_mode (self->view)]);
      break;
    case PROP_INPUT_NAME:
      g_value_set_string (value, cvl_kernel_page_get_input_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_kernel_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);

  switch (prop_id)
    {
    case PROP_VIEW_MODE:
      for (guint i = 0; i < G_N_ELEMENTS (view_modes); i++)
        if (g_strcmp0 (g_value_get_string (value), view_modes[i]) == 0
            && cvl_image_view_get_mode (self->view) != (CvlViewMode) i)
          {
            cvl_image_view_set_mode (self->view, i);
            g_object_notify_by_pspec (object, pspec);
          }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cvl_kernel_page_dispose (GObject *object)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);

  g_cancellable_cancel (self->render_cancellable);
  g_clear_object (&self->render_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CVL_TYPE_KERNEL_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (cvl_kernel_page_parent_class)->dispose (object);
}

static void
cvl_kernel_page_finalize (GObject *object)
{
  CvlKernelPage *self = CVL_KERNEL_PAGE (object);

  g_clear_pointer (&self->source, cvl_source_release);
  g_clear_pointer (&self->result, cvl_result_release);
  g_clear_pointer (&self->spare, cvl_result_release);
  g_clear_pointer (&self->kernel, cvl_kernel_free);
  g_clear_pointer (&self->preset_id, g_free);
  g_clear_pointer (&self->generator_id, g_free);
  g_clear_object (&self->settings);
  g_mutex_clear (&self->spare_lock);
  G_OBJECT_CLASS (cvl_kernel_page_parent_class)->finalize (object);
}

static void
cvl_kernel_page_class_init (CvlKernelPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cvl_kernel_page_dispose;
  object_class->finalize = cvl_kernel_page_finalize;
  object_class->get_property = cvl_kernel_page_get_property;
  object_class->set_property = cvl_kernel_page_set_property;

  /* "original", "split" or "result": what the image area shows. */
  properties[PROP_VIEW_MODE] =
    g_param_spec_string ("view-mode", NULL, NULL, "split",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The name of the image being convolved, for the window's subtitle. */
  properties[PROP_INPUT_NAME] =
    g_param_spec_string ("input-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CVL_TYPE_IMAGE_VIEW);
  g_type_ensure (CVL_TYPE_KERNEL_GRID);
  g_type_ensure (CVL_TYPE_INSPECTOR);
  g_type_ensure (CVL_TYPE_MATRIX_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/convolve/Convolve/ui/cvl-kernel-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, CvlKernelPage, name)
  CHILD (view); CHILD (presets_box); CHILD (grid); CHILD (kernel_status_label);
  CHILD (rows_spin); CHILD (cols_spin); CHILD (divisor_entry); CHILD (offset_entry);
  CHILD (padding_row); CHILD (border_row); CHILD (channels_row); CHILD (map_row);
  CHILD (stride_h_spin); CHILD (stride_w_spin); CHILD (dilation_h_spin); CHILD (dilation_w_spin);
  CHILD (flip_switch); CHILD (size_label); CHILD (status_label); CHILD (zoom_label);
  CHILD (inspect_label); CHILD (inspector); CHILD (inspect_channel);
  CHILD (inspector_panel); CHILD (inspect_title);
  CHILD (kernel_stack); CHILD (heatmap); CHILD (spectrum); CHILD (heatmap_label);
  CHILD (spectrum_label); CHILD (spectrum_log); CHILD (generators_box); CHILD (gen_params);
  CHILD (engine_dropdown);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_view_hover);
  gtk_widget_class_bind_template_callback (widget_class, on_view_zoom);
  gtk_widget_class_bind_template_callback (widget_class, on_grid_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_size_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_divisor_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_offset_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_option_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_inspect_channel_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_heatmap_hover);
  gtk_widget_class_bind_template_callback (widget_class, on_spectrum_hover);
  gtk_widget_class_bind_template_callback (widget_class, on_spectrum_log_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_engine_changed);

  gtk_widget_class_install_action (widget_class, "kernels.preset", "s", preset_action);
  gtk_widget_class_install_action (widget_class, "kernels.generator", "s", generator_action);
  gtk_widget_class_install_action (widget_class, "kernels.kernel-from-image", NULL,
                                   cvl_kernel_page_kernel_from_image_action);
  gtk_widget_class_install_action (widget_class, "kernels.normalize", NULL, kernel_tool_action);
  gtk_widget_class_install_action (widget_class, "kernels.flip", NULL, kernel_tool_action);
  gtk_widget_class_install_action (widget_class, "kernels.transpose", NULL, kernel_tool_action);
  gtk_widget_class_install_action (widget_class, "kernels.rotate", NULL, kernel_tool_action);
  gtk_widget_class_install_action (widget_class, "kernels.reset", NULL, kernel_tool_action);
  gtk_widget_class_install_property_action (widget_class, "kernels.view-mode", "view-mode");
  gtk_widget_class_install_action (widget_class, "kernels.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "kernels.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "kernels.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "kernels.zoom-one", NULL, zoom_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cvl_kernel_page_init (CvlKernelPage *self)
{
  g_autoptr (GBytes) sample = NULL;
  g_autoptr (GError) error = NULL;
  const CvlPresetInfo *presets;
  guint n_presets;

  g_mutex_init (&self->spare_lock);
  gtk_widget_init_template (GTK_WIDGET (self));

  presets = cvl_kernel_presets (&n_presets);
  for (guint i = 0; i < n_presets; i++)
    {
      GtkWidget *button = gtk_button_new_with_label (_(presets[i].label));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "kernels.preset");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", presets[i].id);
      gtk_widget_set_tooltip_text (button, _(presets[i].description));
      gtk_flow_box_append (self->presets_box, button);
    }

  {
    const CvlGeneratorInfo *generators;
    guint n_generators;

    generators = cvl_kernel_generators (&n_generators);
    for (guint i = 0; i < n_generators; i++)
      {
        GtkWidget *button = gtk_button_new_with_label (_(generators[i].label));

        gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "kernels.generator");
        gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", generators[i].id);
        gtk_widget_set_tooltip_text (button, _(generators[i].description));
        gtk_flow_box_append (self->generators_box, button);
      }
  }

  cvl_conv_options_init (&self->options);
  self->engine = CVL_ENGINE_AUTO;
  self->kernel = cvl_kernel_new_preset ("sharpen", NULL);
  self->preset_id = g_strdup ("sharpen");
  self->map = CVL_MAP_CLAMP;
  sync_widgets (self);
  update_kernel_views (self);
  cvl_kernel_page_io_init (self);

  /* The bundled photo, so there is something to convolve at first launch. */
  sample = g_resources_lookup_data ("/io/github/convolve/Convolve/chelsea.png", 0, &error);
  if (sample != NULL)
    cvl_kernel_page_open_bytes (self, sample, "chelsea");
  else
    g_warning ("sample photo missing from resources: %s", error->message);
}
