/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The convolution front door: options, TensorFlow's output geometry and its
 * read-out, border rules, and the checks shared by every engine before
 * cvl_conv2d() and cvl_conv_apply() hand work to one of them. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "cvl-conv-private.h"
#include "cvl-error.h"
#include "cvl-image-private.h"

static gint n_conv_threads; /* atomic; 0: one per processor */

static const struct
{
  const char *id;
  const char *label;
} engine_names[CVL_N_ENGINES] = {
  [CVL_ENGINE_NAIVE] = { "naive", N_("Naive") },
  [CVL_ENGINE_DIRECT] = { "direct", N_("Direct") },
  [CVL_ENGINE_SEPARABLE] = { "separable", N_("Separable") },
  [CVL_ENGINE_FFT] = { "fft", N_("FFT") },
  [CVL_ENGINE_AUTO] = { "auto", N_("Auto") },
};

const char *
cvl_engine_to_string (CvlEngine engine)
{
  g_return_val_if_fail ((guint) engine < CVL_N_ENGINES, NULL);

  return engine_names[engine].id;
}

gboolean
cvl_engine_from_string (const char *text,
                        CvlEngine  *engine)
{
  g_return_val_if_fail (engine != NULL, FALSE);

  for (guint i = 0; text != NULL && i < CVL_N_ENGINES; i++)
    if (g_ascii_strcasecmp (text, engine_names[i].id) == 0)
      {
        *engine = i;
        return TRUE;
      }

  return FALSE;
}

const char *
cvl_engine_label (CvlEngine engine)
{
  g_return_val_if_fail ((guint) engine < CVL_N_ENGINES, NULL);

  return _(engine_names[engine].label);
}

void
cvl_conv_options_init (CvlConvOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (CvlConvOptions) {
    .stride_h = 1, .stride_w = 1,
    .dilation_h = 1, .dilation_w = 1,
    .padding = CVL_PADDING_SAME,
    .border = CVL_BORDER_ZERO,
    .flip = FALSE,
    .channels = CVL_CHANNELS_RGB,
  };
}

static gboolean
check_range (const char  *what,
             int          value,
             int          max,
             GError     **error)
{
  if (value >= 1 && value <= max)
    return TRUE;

  g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
               "The %s must be between 1 and %d, not %d", what, max, value);
  return FALSE;
}

gboolean
cvl_conv_options_validate (const CvlConvOptions  *options,
                           GError               **error)
{
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_range ("vertical stride", options->stride_h, CVL_CONV_MAX_STRIDE, error) ||
      !check_range ("horizontal stride", options->stride_w, CVL_CONV_MAX_STRIDE, error) ||
      !check_range ("vertical dilation", options->dilation_h, CVL_CONV_MAX_DILATION, error) ||
      !check_range ("horizontal dilation", options->dilation_w, CVL_CONV_MAX_DILATION, error))
    return FALSE;

  if ((guint) options->padding > CVL_PADDING_VALID ||
      (guint) options->border > CVL_BORDER_WRAP ||
      (guint) options->channels > CVL_CHANNELS_GRAY)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "Unknown padding, border or channel mode");
      return FALSE;
    }

  return TRUE;
}

/* One axis of TensorFlow's rules (see cvl-conv.h). */
static void
axis_geometry (int         in,
               int         k,
               int         stride,
               int         dilation,
               CvlPadding  padding,
               int        *out,
               int        *pad_before,
               int        *pad_after,
               int        *k_eff)
{
  *k_eff = (k - 1) * dilation + 1;

  if (padding == CVL_PADDING_SAME)
    {
      int total;

      *out = (in + stride - 1) / stride;
      total = MAX ((*out - 1) * stride + *k_eff - in, 0);
      *pad_before = total / 2;
      *pad_after = total - *pad_before;
    }
  else
    {
      *out = *k_eff > in ? 0 : (in - *k_eff) / stride + 1;
      *pad_before = *pad_after = 0;
    }
}

void
cvl_conv_geometry (int                   in_h,
                   int                   in_w,
                   int                   k_h,
                   int                   k_w,
                   const CvlConvOptions *options,
                   CvlConvGeometry      *geometry)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (geometry != NULL);
  g_return_if_fail (in_h >= 1 && in_w >= 1 && k_h >= 1 && k_w >= 1);
  g_return_if_fail (options->stride_h >= 1 && options->stride_w >= 1);
  g_return_if_fail (options->dilation_h >= 1 && options->dilation_w >= 1);

  axis_geometry (in_h, k_h, options->stride_h, options->dilation_h, options->padding,
                 &geometry->out_h, &geometry->pad_top, &geometry->pad_bottom,
                 &geometry->k_eff_h);
  axis_geometry (in_w, k_w, options->stride_w, options->dilation_w, options->padding,
                 &geometry->out_w, &geometry->pad_left, &geometry->pad_right,
                 &geometry->k_eff_w);
}

/* "(451 − 3 + 2·1) / 2 + 1": the lecture's (W − F + 2P) / S + 1 for one axis,
 * with ⌊⌋ when the division is not exact and the pad total when it is odd. */
static void
append_formula (GString *text,
                int      in,
                int      k_eff,
                int      pad_total,
                int      stride)
{
  gboolean exact = (in - k_eff + pad_total) % stride == 0;

  g_string_append (text, exact ? "(" : "⌊(");
  g_string_append_printf (text, "%d − %d", in, k_eff);
  if (pad_total > 0 && pad_total % 2 == 0)
    g_string_append_printf (text, " + 2·%d", pad_total / 2);
  else if (pad_total > 0)
    g_string_append_printf (text, " + %d", pad_total);
  g_string_append_printf (text, ") / %d%s + 1", stride, exact ? "" : "⌋");
}

char *
cvl_conv_describe_size (int                   in_h,
                        int                   in_w,
                        int                   k_h,
                        int                   k_w,
                        const CvlConvOptions *options)
{
  CvlConvGeometry g;
  GString *text;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (in_h >= 1 && in_w >= 1 && k_h >= 1 && k_w >= 1, NULL);

  cvl_conv_geometry (in_h, in_w, k_h, k_w, options, &g);

  if (g.out_w == 0 || g.out_h == 0)
    {
      gboolean wide = g.out_w == 0;

      return g_strdup_printf ("Empty: the %d-pixel kernel is %s than the %d-pixel image "
                              "(VALID padding adds no border)",
                              wide ? g.k_eff_w : g.k_eff_h,
                              wide ? "wider" : "taller",
                              wide ? in_w : in_h);
    }

  text = g_string_new (NULL);
  g_string_append_printf (text, "%d × %d = ", g.out_w, g.out_h);
  append_formula (text, in_w, g.k_eff_w, g.pad_left + g.pad_right, options->stride_w);
  g_string_append_printf (text, "\nHeight: %d = ", g.out_h);
  append_formula (text, in_h, g.k_eff_h, g.pad_top + g.pad_bottom, options->stride_h);

  return g_string_free (text, FALSE);
}

int
cvl_conv_border_index (int       i,
                       int       n,
                       CvlBorder border)
{
  g_return_val_if_fail (n >= 1, -1);

  if (i >= 0 && i < n)
    return i;

  switch (border)
    {
    case CVL_BORDER_CLAMP:
      return i < 0 ? 0 : n - 1;

    case CVL_BORDER_REFLECT:
      {
        /* Reflect-101 repeats with period 2(n − 1): fold into it, then mirror. */
        int period = 2 * (n - 1);

        if (period == 0)
          return 0;
        i %= period;
        if (i < 0)
          i += period;
        return i < n ? i : period - i;
      }

    case CVL_BORDER_WRAP:
      i %= n;
      return i < 0 ? i + n : i;

    case CVL_BORDER_ZERO:
    default:
      return -1;
    }
}

int *
cvl_conv_border_map (int       n_virtual,
                     int       pad_before,
                     int       n,
                     CvlBorder border)
{
  int *map = g_new (int, n_virtual);

  for (int v = 0; v < n_virtual; v++)
    map[v] = cvl_conv_border_index (v - pad_before, n, border);
  return map;
}

gboolean
cvl_conv2d (CvlEngine              engine,
            const CvlImage        *in,
            const CvlKernel       *kernel,
            const CvlConvOptions  *options,
            CvlImage             **out,
            GCancellable          *cancellable,
            GError               **error)
{
  CvlConvJob job = { in, kernel, options, { 0 }, NULL, cancellable };
  gboolean completed;

  g_return_val_if_fail (in != NULL && in->data != NULL, FALSE);
  g_return_val_if_fail (in->width >= 1 && in->height >= 1, FALSE);
  g_return_val_if_fail (in->channels >= 1 && in->channels <= 4, FALSE);
  g_return_val_if_fail (kernel != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (out != NULL && *out != in, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!cvl_conv_options_validate (options, error))
    return FALSE;

  if (kernel->width < 1 || kernel->height < 1 ||
      kernel->width > CVL_KERNEL_MAX_SIZE || kernel->height > CVL_KERNEL_MAX_SIZE)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "A kernel of %d×%d cells is not supported", kernel->width, kernel->height);
      return FALSE;
    }

  if (kernel->divisor == 0 || !isfinite (kernel->divisor) || !isfinite (kernel->offset))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "The kernel’s divisor must be a finite number other than 0");
      return FALSE;
    }

  cvl_conv_geometry (in->height, in->width, kernel->height, kernel->width, options,
                     &job.geometry);
  if (job.geometry.out_w == 0 || job.geometry.out_h == 0)
    {
      g_autofree char *why = cvl_conv_describe_size (in->height, in->width,
                                                     kernel->height, kernel->width,
                                                     options);

      g_set_error (error, CVL_ERROR, CVL_ERROR_EMPTY_OUTPUT,
                   "The result would have no pixels. %s", why);
      return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, NULL))
    goto cancelled;

  if (!cvl_image_ensure (out, job.geometry.out_w, job.geometry.out_h, in->channels, error))
    return FALSE;
  job.out = *out;

  switch (engine)
    {
    case CVL_ENGINE_NAIVE:
      completed = cvl_conv_naive (&job);
      break;

    case CVL_ENGINE_DIRECT:
      completed = cvl_conv_direct (&job);
      break;

    case CVL_ENGINE_SEPARABLE:
    case CVL_ENGINE_AUTO:
      {
        g_autofree float *col = g_new (float, kernel->height);
        g_autofree float *row = g_new (float, kernel->width);

        if (engine == CVL_ENGINE_AUTO)
          engine = cvl_conv_resolve_engine (engine, in->height, in->width, in->channels,
                                            kernel, options);
        if (engine == CVL_ENGINE_SEPARABLE && cvl_conv_kernel_factor (kernel, col, row))
          completed = cvl_conv_separable (&job, col, row);
        else if (engine == CVL_ENGINE_FFT)
          completed = cvl_conv_fft (&job);
        else
          completed = cvl_conv_direct (&job);
      }
      break;

    case CVL_ENGINE_FFT:
      completed = cvl_conv_fft (&job);
      break;

    default:
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "Unknown convolution engine %d", engine);
      return FALSE;
    }

  if (completed)
    return TRUE;

cancelled:
  g_set_error (error, CVL_ERROR, CVL_ERROR_CANCELLED, "The convolution was cancelled");
  return FALSE;
}

/* Each output pixel's alpha is the input alpha under the centre tap,
 * (k − 1) / 2, the tap that sits on the output pixel with SAME, stride 1. */
static void
sample_alpha (const CvlImage        *in,
              const CvlKernel       *kernel,
              const CvlConvOptions  *options,
              const CvlConvGeometry *g,
              CvlImage              *alpha)
{
  const float *src = cvl_image_plane (in, in->channels - 1);
  int cy = (kernel->height - 1) / 2 * options->dilation_h - g->pad_top;
  int cx = (kernel->width - 1) / 2 * options->dilation_w - g->pad_left;

  for (int oy = 0; oy < g->out_h; oy++)
    {
      int iy = CLAMP (oy * options->stride_h + cy, 0, in->height - 1);
      const float *row = src + (gsize) iy * in->width;
      float *dst = alpha->data + (gsize) oy * g->out_w;

      for (int ox = 0; ox < g->out_w; ox++)
        dst[ox] = row[CLAMP (ox * options->stride_w + cx, 0, in->width - 1)];
    }
}

gboolean
cvl_conv_apply (CvlEngine              engine,
                const CvlImage        *in,
                const CvlKernel       *kernel,
                const CvlConvOptions  *options,
                CvlImage             **values,
                CvlImage             **alpha,
                GCancellable          *cancellable,
                GError               **error)
{
  /* 2 and 4 channels carry alpha last; the colour planes come first and are
   * contiguous, so a view with fewer channels reads them in place. */
  gboolean has_alpha;
  CvlImage colour;
  CvlImage *luma = NULL;
  gboolean ok;

  g_return_val_if_fail (in != NULL && in->data != NULL, FALSE);
  g_return_val_if_fail (in->channels >= 1 && in->channels <= 4, FALSE);
  g_return_val_if_fail (kernel != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (values != NULL && alpha != NULL, FALSE);
  g_return_val_if_fail (*values != in && *alpha != in, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  has_alpha = in->channels == 2 || in->channels == 4;
  colour = *in;
  colour.channels = has_alpha ? in->channels - 1 : in->channels;

  if (options->channels == CVL_CHANNELS_GRAY && colour.channels >= 3)
    {
      luma = cvl_image_take_scratch (in->width, in->height, 1, error);
      if (luma == NULL)
        return FALSE;
      cvl_image_luma_into (in, luma);
      ok = cvl_conv2d (engine, luma, kernel, options, values, cancellable, error);
      cvl_image_give_scratch (luma);
    }
  else
    {
      if (options->channels == CVL_CHANNELS_GRAY)
        colour.channels = 1;
      ok = cvl_conv2d (engine, &colour, kernel, options, values, cancellable, error);
    }

  if (!ok)
    return FALSE;

  if (has_alpha)
    {
      CvlConvGeometry g;

      cvl_conv_geometry (in->height, in->width, kernel->height, kernel->width, options, &g);
      if (!cvl_image_ensure (alpha, g.out_w, g.out_h, 1, error))
        return FALSE;
      sample_alpha (in, kernel, options, &g, *alpha);
    }
  else
    g_clear_pointer (alpha, cvl_image_free);

  return TRUE;
}

void
cvl_conv_set_threads (int n_threads)
{
  g_atomic_int_set (&n_conv_threads, MAX (n_threads, 0));
}

int
cvl_conv_get_threads (void)
{
  int n = g_atomic_int_get (&n_conv_threads);

  return n > 0 ? n : (int) g_get_num_processors ();
}
