/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Convolution kernels: creation, the lecture's presets, the plain-text cell
 * format with fractions, and the geometric edits the kernel grid offers. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-kernel.h"

typedef struct
{
  CvlPresetInfo info;
  float         divisor;
  float         values[9]; /* all presets are 3×3 */
} Preset;

static const Preset presets[] = {
  { { "identity", N_("Identity"),
      N_("Leaves the image unchanged."),
      CVL_MAP_CLAMP },
    1, { 0, 0, 0, 0, 1, 0, 0, 0, 0 } },
  { { "blur", N_("Blur"),
      N_("The 1/16 Gaussian: a soft blur that weights the centre most."),
      CVL_MAP_CLAMP },
    16, { 1, 2, 1, 2, 4, 2, 1, 2, 1 } },
  { { "box-blur", N_("Box Blur"),
      N_("Replaces each pixel by the mean of its 3×3 neighbourhood."),
      CVL_MAP_CLAMP },
    9, { 1, 1, 1, 1, 1, 1, 1, 1, 1 } },
  { { "sharpen", N_("Sharpen"),
      N_("Boosts the centre against its four neighbours to crisp up edges."),
      CVL_MAP_CLAMP },
    1, { 0, -1, 0, -1, 5, -1, 0, -1, 0 } },
  { { "edge", N_("Edge"),
      N_("The four-neighbour Laplacian: responds wherever brightness changes."),
      CVL_MAP_SIGNED },
    1, { 0, 1, 0, 1, -4, 1, 0, 1, 0 } },
  { { "top-sobel", N_("Top Sobel"),
      N_("Highlights edges where the image gets darker downwards."),
      CVL_MAP_SIGNED },
    1, { 1, 2, 1, 0, 0, 0, -1, -2, -1 } },
  { { "bottom-sobel", N_("Bottom Sobel"),
      N_("Highlights edges where the image gets brighter downwards."),
      CVL_MAP_SIGNED },
    1, { -1, -2, -1, 0, 0, 0, 1, 2, 1 } },
  { { "left-sobel", N_("Left Sobel"),
      N_("Highlights edges where the image gets darker to the right."),
      CVL_MAP_SIGNED },
    1, { 1, 0, -1, 2, 0, -2, 1, 0, -1 } },
  { { "right-sobel", N_("Right Sobel"),
      N_("Highlights edges where the image gets brighter to the right."),
      CVL_MAP_SIGNED },
    1, { -1, 0, 1, -2, 0, 2, -1, 0, 1 } },
  { { "emboss", N_("Emboss"),
      N_("Gives the image a raised, lit-from-the-top-left relief."),
      CVL_MAP_CLAMP },
    1, { -2, -1, 0, -1, 1, 1, 0, 1, 2 } },
  { { "outline", N_("Outline"),
      N_("Keeps only the outlines, where a pixel differs from all eight neighbours."),
      CVL_MAP_CLAMP },
    1, { -1, -1, -1, -1, 8, -1, -1, -1, -1 } },
  { { "laplace", N_("Laplace"),
      N_("The lecture's Laplace variant: bright above, dark below."),
      CVL_MAP_SIGNED },
    1, { 5, 5, 5, -3, 0, -3, -3, -3, -3 } },
};

/* The public table: the infos of `presets` plus a NULL terminator. */
static CvlPresetInfo preset_infos[G_N_ELEMENTS (presets) + 1];

static gsize
n_cells (const CvlKernel *kernel)
{
  return (gsize) kernel->width * kernel->height;
}

static gboolean
check_kernel_size (int      width,
                   int      height,
                   GError **error)
{
  if (width < 1 || height < 1 ||
      width > CVL_KERNEL_MAX_SIZE || height > CVL_KERNEL_MAX_SIZE)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "A kernel of %d×%d cells is not possible: each side goes from 1 to %d",
                   width, height, CVL_KERNEL_MAX_SIZE);
      return FALSE;
    }

  return TRUE;
}

CvlKernel *
cvl_kernel_new (int      width,
                int      height,
                GError **error)
{
  CvlKernel *kernel;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_kernel_size (width, height, error))
    return NULL;

  kernel = g_new0 (CvlKernel, 1);
  kernel->width = width;
  kernel->height = height;
  kernel->values = g_new0 (float, n_cells (kernel));
  kernel->divisor = 1;
  kernel->offset = 0;

  return kernel;
}

CvlKernel *
cvl_kernel_new_identity (int width,
                         int height)
{
  CvlKernel *kernel;

  g_return_val_if_fail (check_kernel_size (width, height, NULL), NULL);

  /* The tap over the output pixel under TensorFlow's SAME split is
   * (k − 1) / 2, also for even sizes. */
  kernel = cvl_kernel_new (width, height, NULL);
  kernel->values[(gsize) (height - 1) / 2 * width + (width - 1) / 2] = 1;

  return kernel;
}

void
cvl_kernel_free (CvlKernel *kernel)
{
  if (kernel == NULL)
    return;

  g_free (kernel->values);
  g_free (kernel);
}

CvlKernel *
cvl_kernel_copy (const CvlKernel *kernel)
{
  CvlKernel *copy;

  g_return_val_if_fail (kernel != NULL, NULL);

  copy = g_memdup2 (kernel, sizeof *kernel);
  copy->values = g_memdup2 (kernel->values, n_cells (kernel) * sizeof (float));

  return copy;
}

gboolean
cvl_kernel_equal (const CvlKernel *a,
                  const CvlKernel *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->width != b->width || a->height != b->height ||
      a->divisor != b->divisor || a->offset != b->offset)
    return FALSE;

  for (gsize i = 0; i < n_cells (a); i++)
    if (a->values[i] != b->values[i])
      return FALSE;

  return TRUE;
}

/* Presets */

const CvlPresetInfo *
cvl_kernel_presets (guint *n_presets)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
        preset_infos[i] = presets[i].info;
      g_once_init_leave (&initialized, 1);
    }

  if (n_presets != NULL)
    *n_presets = G_N_ELEMENTS (presets);

  return preset_infos;
}

/* Index into `presets` and `preset_infos`, or -1. */
static int
find_preset (const char *id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].info.id, id) == 0)
      return (int) i;

  return -1;
}

const CvlPresetInfo *
cvl_kernel_preset_info (const char *id)
{
  int i;

  g_return_val_if_fail (id != NULL, NULL);

  i = find_preset (id);
  return i >= 0 ? &cvl_kernel_presets (NULL)[i] : NULL;
}

CvlKernel *
cvl_kernel_new_preset (const char  *id,
                       GError     **error)
{
  CvlKernel *kernel;
  int i;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  i = find_preset (id);
  if (i < 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "There is no preset kernel called “%s”", id);
      return NULL;
    }

  kernel = cvl_kernel_new (3, 3, NULL);
  memcpy (kernel->values, presets[i].values, sizeof presets[i].values);
  kernel->divisor = presets[i].divisor;

  return kernel;
}

/* Text format */

/* Plain decimal syntax only: refuses "nan", "inf", hex floats and any text
 * strtod would accept beyond what a person types into a cell. */
static gboolean
parse_decimal (const char *start,
               const char *end,
               double     *value)
{
  g_autofree char *text = g_strndup (start, end - start);
  char *rest = NULL;
  gboolean digits = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if (strchr ("+-.eE", *p) == NULL)
        return FALSE;
    }

  if (!digits)
    return FALSE;

  *value = g_ascii_strtod (text, &rest);
  return rest != text && *rest == '\0';
}

gboolean
cvl_kernel_parse_cell (const char  *text,
                       float       *value,
                       GError     **error)
{
  g_autofree char *cell = NULL;
  const char *slash, *end;
  double result;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cell = g_strstrip (g_strdup (text));
  end = cell + strlen (cell);
  slash = strchr (cell, '/');

  if (*cell == '\0')
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE, "An empty cell is not a number");
      return FALSE;
    }

  if (slash == NULL)
    {
      if (!parse_decimal (cell, end, &result))
        goto not_a_number;
    }
  else
    {
      double numerator, denominator;

      if (!parse_decimal (cell, slash, &numerator) ||
          !parse_decimal (slash + 1, end, &denominator))
        goto not_a_number;

      if (denominator == 0)
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                       "“%s” divides by zero", cell);
          return FALSE;
        }
      if (!isfinite (numerator) || !isfinite (denominator))
        goto too_large;

      result = numerator / denominator;
    }

  if (!isfinite (result) || fabs (result) > G_MAXFLOAT)
    goto too_large;

  *value = (float) result;
  return TRUE;

not_a_number:
  g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE, "“%s” is not a number", cell);
  return FALSE;

too_large:
  g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
               "“%s” is too large for a kernel cell", cell);
  return FALSE;
}

/* Splits `text` at any of `separators`, dropping empty pieces. */
static GPtrArray *
split_nonempty (const char *text,
                const char *separators)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  while (*p != '\0')
    {
      gsize len = strcspn (p, separators);

      if (len > 0)
        g_ptr_array_add (pieces, g_strndup (p, len));
      p += len;
      p += strspn (p, separators);
    }

  return pieces;
}

CvlKernel *
cvl_kernel_parse (const char  *text,
                  GError     **error)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(CvlKernel) kernel = NULL;
  guint width;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* rows: GPtrArray of GPtrArray of cell strings; blank lines are skipped */
  lines = split_nonempty (text, "\n;");
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < lines->len; i++)
    {
      GPtrArray *cells = split_nonempty (g_ptr_array_index (lines, i), " \t,\r\f\v");

      if (cells->len > 0)
        g_ptr_array_add (rows, cells);
      else
        g_ptr_array_unref (cells);
    }

  if (rows->len == 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                   "The kernel is empty: type at least one number");
      return NULL;
    }

  width = ((GPtrArray *) g_ptr_array_index (rows, 0))->len;
  for (guint r = 1; r < rows->len; r++)
    {
      guint len = ((GPtrArray *) g_ptr_array_index (rows, r))->len;

      if (len != width)
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                       "Row %u has %u %s, row 1 has %u",
                       r + 1, len, len == 1 ? "cell" : "cells", width);
          return NULL;
        }
    }

  if (width > CVL_KERNEL_MAX_SIZE || rows->len > CVL_KERNEL_MAX_SIZE)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                   "The kernel has %u×%u cells; each side can have at most %d",
                   width, rows->len, CVL_KERNEL_MAX_SIZE);
      return NULL;
    }

  kernel = cvl_kernel_new (width, rows->len, NULL);
  for (guint r = 0; r < rows->len; r++)
    {
      GPtrArray *cells = g_ptr_array_index (rows, r);

      for (guint c = 0; c < width; c++)
        {
          g_autoptr(GError) local_error = NULL;

          if (!cvl_kernel_parse_cell (g_ptr_array_index (cells, c),
                                      &kernel->values[(gsize) r * width + c],
                                      &local_error))
            {
              g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                           "%s (row %u, cell %u)", local_error->message, r + 1, c + 1);
              return NULL;
            }
        }
    }

  return g_steal_pointer (&kernel);
}

char *
cvl_kernel_format_cell (float value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (isfinite (value), g_strdup ("0"));

  if (value == 0)
    return g_strdup ("0"); /* also for −0 */

  /* whole numbers as such: "100", not "1e+02" */
  if (fabsf (value) < 1e9f && value == truncf (value))
    return g_strdup_printf ("%.0f", value);

  for (int precision = 1; precision <= 9; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if ((float) g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  return g_strdup (buffer);
}

char *
cvl_kernel_to_text (const CvlKernel *kernel)
{
  GString *text;

  g_return_val_if_fail (kernel != NULL, NULL);

  text = g_string_new (NULL);
  for (int r = 0; r < kernel->height; r++)
    {
      if (r > 0)
        g_string_append_c (text, '\n');

      for (int c = 0; c < kernel->width; c++)
        {
          g_autofree char *cell = cvl_kernel_format_cell (cvl_kernel_get (kernel, r, c));

          if (c > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, cell);
        }
    }

  return g_string_free (text, FALSE);
}

/* Arithmetic and geometry */

gboolean
cvl_kernel_set_divisor (CvlKernel  *kernel,
                        float       divisor,
                        GError    **error)
{
  g_return_val_if_fail (kernel != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (divisor == 0 || !isfinite (divisor))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "The divisor must be a finite number other than 0");
      return FALSE;
    }

  kernel->divisor = divisor;
  return TRUE;
}

float
cvl_kernel_sum (const CvlKernel *kernel)
{
  double sum = 0;

  g_return_val_if_fail (kernel != NULL, 0);

  for (gsize i = 0; i < n_cells (kernel); i++)
    sum += kernel->values[i];

  return (float) sum;
}

gboolean
cvl_kernel_normalize (CvlKernel *kernel)
{
  double sum = 0, magnitude = 0;

  g_return_val_if_fail (kernel != NULL, FALSE);

  for (gsize i = 0; i < n_cells (kernel); i++)
    {
      sum += kernel->values[i];
      magnitude += fabs (kernel->values[i]);
    }

  /* A sum that is only rounding noise (0.1 + 0.2 − 0.3) counts as zero. */
  if (fabs (sum) <= 1e-6 * magnitude || !isfinite (1 / sum))
    return FALSE;

  for (gsize i = 0; i < n_cells (kernel); i++)
    kernel->values[i] = (float) (kernel->values[i] / sum);
  kernel->divisor = 1;

  return TRUE;
}

void
cvl_kernel_flip (CvlKernel *kernel)
{
  gsize n;

  g_return_if_fail (kernel != NULL);

  /* 180° is reversing the row-major array */
  n = n_cells (kernel);
  for (gsize i = 0; i < n / 2; i++)
    {
      float tmp = kernel->values[i];

      kernel->values[i] = kernel->values[n - 1 - i];
      kernel->values[n - 1 - i] = tmp;
    }
}

/* Rebuilds the cells as new[r][c] = old[src_row (r, c)][src_col (r, c)] for
 * a kernel of new_width × new_height; the transforms only differ in the map. */
typedef enum { TRANSPOSE, ROTATE } Transform;

static void
transform (CvlKernel *kernel,
           Transform  how)
{
  int old_w = kernel->width, old_h = kernel->height;
  int new_w = old_h, new_h = old_w;
  float *values = g_new (float, n_cells (kernel));

  for (int r = 0; r < new_h; r++)
    for (int c = 0; c < new_w; c++)
      {
        /* transpose: new[r][c] = old[c][r]; clockwise: new[r][c] = old[h−1−c][r] */
        int src_r = how == TRANSPOSE ? c : old_h - 1 - c;

        values[(gsize) r * new_w + c] = kernel->values[(gsize) src_r * old_w + r];
      }

  g_free (kernel->values);
  kernel->values = values;
  kernel->width = new_w;
  kernel->height = new_h;
}

void
cvl_kernel_transpose (CvlKernel *kernel)
{
  g_return_if_fail (kernel != NULL);

  transform (kernel, TRANSPOSE);
}

void
cvl_kernel_rotate (CvlKernel *kernel)
{
  g_return_if_fail (kernel != NULL);

  transform (kernel, ROTATE);
}

gboolean
cvl_kernel_resize (CvlKernel  *kernel,
                   int         width,
                   int         height,
                   GError    **error)
{
  int dr, dc;
  float *values;

  g_return_val_if_fail (kernel != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_kernel_size (width, height, error))
    return FALSE;

  /* Align the centre taps, (k − 1) / 2 on both sides. */
  dr = (height - 1) / 2 - (kernel->height - 1) / 2;
  dc = (width - 1) / 2 - (kernel->width - 1) / 2;

  values = g_new0 (float, (gsize) width * height);
  for (int r = 0; r < height; r++)
    for (int c = 0; c < width; c++)
      {
        int src_r = r - dr, src_c = c - dc;

        if (src_r >= 0 && src_r < kernel->height && src_c >= 0 && src_c < kernel->width)
          values[(gsize) r * width + c] = cvl_kernel_get (kernel, src_r, src_c);
      }

  g_free (kernel->values);
  kernel->values = values;
  kernel->width = width;
  kernel->height = height;

  return TRUE;
}
