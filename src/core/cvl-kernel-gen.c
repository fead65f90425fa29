/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kernels computed from a few parameters (blurs, edge and band-pass filters,
 * unsharp masking), the "id:key=value,…" spec the CLI reads, and kernels made
 * from a picture. Everything is computed in double and stored as float. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-kernel-gen.h"

/* Sub-pixel samples per axis for the anti-aliased shapes (disk, motion):
 * 16 × 16 = 256 coverage levels, on a grid symmetric about the pixel centre
 * so that symmetric shapes give exactly symmetric kernels. */
#define AA_SAMPLES 16

/* Largest half-size: the kernel is 2·radius + 1 ≤ CVL_KERNEL_MAX_SIZE wide. */
#define MAX_RADIUS ((CVL_KERNEL_MAX_SIZE - 1) / 2)

typedef CvlKernel *(*GenerateFunc) (const double *values);

typedef struct
{
  CvlGeneratorInfo info;
  guint            whole_params;   /* bit i set: params[i] takes whole numbers only */
  GenerateFunc     generate;       /* values already validated */
} Generator;

static CvlKernel *generate_box      (const double *values);
static CvlKernel *generate_gaussian (const double *values);
static CvlKernel *generate_disk     (const double *values);
static CvlKernel *generate_motion   (const double *values);
static CvlKernel *generate_log      (const double *values);
static CvlKernel *generate_dog      (const double *values);
static CvlKernel *generate_unsharp  (const double *values);

#define PARAM_SIGMA(default_value) \
  { "sigma", N_("σ (pixels)"), 0.3, 42, 0.1, default_value, 1 }

static const Generator generators[] = {
  { { "box", N_("Box"),
      N_("The mean of a size × size square; its hard edges ring in the frequency domain."),
      CVL_MAP_CLAMP, 1,
      { { "size", N_("Size (pixels)"), 1, CVL_KERNEL_MAX_SIZE, 1, 9, 0 } } },
    1 << 0, generate_box },
  { { "gaussian", N_("Gaussian"),
      N_("A smooth blur of standard deviation σ, 2·⌈3σ⌉ + 1 cells wide."),
      CVL_MAP_CLAMP, 1,
      { PARAM_SIGMA (2) } },
    0, generate_gaussian },
  { { "disk", N_("Disk"),
      N_("The mean of a round patch with soft edges: the bokeh of an out-of-focus lens."),
      CVL_MAP_CLAMP, 1,
      { { "r", N_("Radius (pixels)"), 0.5, MAX_RADIUS, 0.5, 8, 1 } } },
    0, generate_disk },
  { { "motion", N_("Motion Blur"),
      N_("Smears along a line through the centre, as a camera moving during the exposure."),
      CVL_MAP_CLAMP, 2,
      { { "len", N_("Length (pixels)"), 1, CVL_KERNEL_MAX_SIZE, 1, 15, 0 },
        { "angle", N_("Angle (°)"), 0, 360, 1, 0, 0 } } },
    0, generate_motion },
  { { "log", N_("Laplacian of Gaussian"),
      N_("Finds edges at the scale σ and ignores finer noise; dark centre like the edge preset."),
      CVL_MAP_SIGNED, 1,
      { PARAM_SIGMA (1.4) } },
    0, generate_log },
  { { "dog", N_("Difference of Gaussians"),
      N_("The narrow Gaussian minus the wide one: keeps the detail between the two scales."),
      CVL_MAP_SIGNED, 2,
      { PARAM_SIGMA (1),
        { "ratio", N_("Ratio (σ₂ / σ₁)"), 1.1, 10, 0.1, 1.6, 2 } } },
    0, generate_dog },
  { { "unsharp", N_("Unsharp Mask"),
      N_("Sharpens by adding back amount × the difference from a Gaussian blur."),
      CVL_MAP_CLAMP, 2,
      { { "amount", N_("Amount"), 0, 10, 0.1, 1, 1 },
        PARAM_SIGMA (2) } },
    0, generate_unsharp },
};

/* The public table: the infos of `generators` plus a zeroed terminator. */
static CvlGeneratorInfo generator_infos[G_N_ELEMENTS (generators) + 1];

const CvlGeneratorInfo *
cvl_kernel_generators (guint *n_generators)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (generators); i++)
        generator_infos[i] = generators[i].info;
      g_once_init_leave (&initialized, 1);
    }

  if (n_generators != NULL)
    *n_generators = G_N_ELEMENTS (generators);

  return generator_infos;
}

static const Generator *
find_generator (const char *id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (generators); i++)
    if (g_strcmp0 (generators[i].info.id, id) == 0)
      return &generators[i];

  return NULL;
}

const CvlGeneratorInfo *
cvl_kernel_generator_info (const char *id)
{
  const Generator *generator;

  g_return_val_if_fail (id != NULL, NULL);

  generator = find_generator (id);
  if (generator == NULL)
    return NULL;

  return &cvl_kernel_generators (NULL)[generator - generators];
}

/* Shapes */

static CvlKernel *
kernel_from_doubles (int           width,
                     int           height,
                     const double *values)
{
  CvlKernel *kernel = cvl_kernel_new (width, height, NULL);

  g_assert (kernel != NULL);
  for (gsize i = 0; i < (gsize) width * height; i++)
    kernel->values[i] = (float) values[i];

  return kernel;
}

static void
scale_doubles (double *values,
               gsize   n,
               double  factor)
{
  for (gsize i = 0; i < n; i++)
    values[i] *= factor;
}

static double
sum_doubles (const double *values,
             gsize         n)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += values[i];

  return sum;
}

/* Half-size of a Gaussian-based kernel: ⌈spread·σ⌉ taps each side, capped. */
static int
gaussian_radius (double sigma,
                 double spread)
{
  return (int) MIN (ceil (spread * sigma - 1e-9), (double) MAX_RADIUS);
}

/* g[0 … 2·radius], sampled at the cell centres and normalised to sum 1. */
static void
gaussian_1d (double  sigma,
             int     radius,
             double *g)
{
  double sum = 0;

  for (int i = -radius; i <= radius; i++)
    sum += g[i + radius] = exp (-(double) i * i / (2 * sigma * sigma));
  scale_doubles (g, 2 * radius + 1, 1 / sum);
}

/* [side, side] outer product of gaussian_1d with itself: rank 1, sum 1. */
static double *
gaussian_2d (double sigma,
             int    radius)
{
  int side = 2 * radius + 1;
  g_autofree double *g = g_new (double, side);
  double *values = g_new (double, (gsize) side * side);

  gaussian_1d (sigma, radius, g);
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      values[(gsize) y * side + x] = g[y] * g[x];

  return values;
}

/* Where a pixel square stands against a shape. */
typedef enum { PIXEL_OUTSIDE, PIXEL_INSIDE, PIXEL_EDGE } PixelClass;

typedef struct
{
  PixelClass (*classify) (const void *shape, double cx, double cy);
  gboolean   (*contains) (const void *shape, double x, double y);
} ShapeClass;

/* Fraction of the unit pixel centred at (cx, cy) that the shape covers;
 * only pixels on the shape's edge are sampled. */
static double
pixel_coverage (const ShapeClass *klass,
                const void       *shape,
                double            cx,
                double            cy)
{
  int hits = 0;

  switch (klass->classify (shape, cx, cy))
    {
    case PIXEL_OUTSIDE:
      return 0;
    case PIXEL_INSIDE:
      return 1;
    case PIXEL_EDGE:
    default:
      break;
    }

  for (int i = 0; i < AA_SAMPLES; i++)
    for (int j = 0; j < AA_SAMPLES; j++)
      hits += klass->contains (shape,
                               cx + (j + 0.5) / AA_SAMPLES - 0.5,
                               cy + (i + 0.5) / AA_SAMPLES - 0.5);

  return hits / (double) (AA_SAMPLES * AA_SAMPLES);
}

/* [2·ry + 1, 2·rx + 1] coverage of a shape centred on the middle cell,
 * normalised to sum 1. */
static CvlKernel *
rasterize (const ShapeClass *klass,
           const void       *shape,
           int               rx,
           int               ry)
{
  int width = 2 * rx + 1, height = 2 * ry + 1;
  g_autofree double *values = g_new (double, (gsize) width * height);
  double sum;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      values[(gsize) y * width + x] = pixel_coverage (klass, shape, x - rx, y - ry);

  sum = sum_doubles (values, (gsize) width * height);
  g_assert (sum > 0);
  scale_doubles (values, (gsize) width * height, 1 / sum);

  return kernel_from_doubles (width, height, values);
}

typedef struct
{
  double r;
} Disk;

static PixelClass
disk_classify (const void *shape,
               double      cx,
               double      cy)
{
  const Disk *disk = shape;
  double ax = fabs (cx), ay = fabs (cy);

  if (hypot (MAX (ax - 0.5, 0), MAX (ay - 0.5, 0)) >= disk->r)
    return PIXEL_OUTSIDE;
  if (hypot (ax + 0.5, ay + 0.5) <= disk->r)
    return PIXEL_INSIDE;
  return PIXEL_EDGE;
}

static gboolean
disk_contains (const void *shape,
               double      x,
               double      y)
{
  const Disk *disk = shape;

  return x * x + y * y <= disk->r * disk->r;
}

static const ShapeClass disk_class = { disk_classify, disk_contains };

/* A 1-pixel-wide bar of length len along the unit vector (dx, dy), centred on
 * the origin: |t| ≤ len / 2 along it and |s| ≤ 1/2 across it. */
typedef struct
{
  double half_len;
  double dx, dy;
} Bar;

static PixelClass
bar_classify (const void *shape,
              double      cx,
              double      cy)
{
  const Bar *bar = shape;
  double t = fabs (cx * bar->dx + cy * bar->dy);
  double s = fabs (cx * bar->dy - cy * bar->dx);
  /* half-extent of the unit pixel square projected on either axis of the bar */
  double e = 0.5 * (fabs (bar->dx) + fabs (bar->dy));

  if (t - e >= bar->half_len || s - e >= 0.5)
    return PIXEL_OUTSIDE;
  if (t + e <= bar->half_len && s + e <= 0.5)
    return PIXEL_INSIDE;
  return PIXEL_EDGE;
}

static gboolean
bar_contains (const void *shape,
              double      x,
              double      y)
{
  const Bar *bar = shape;

  return fabs (x * bar->dx + y * bar->dy) <= bar->half_len
         && fabs (x * bar->dy - y * bar->dx) <= 0.5;
}

static const ShapeClass bar_class = { bar_classify, bar_contains };

/* Cells k ≥ 0 whose pixel [k − ½, k + ½] reaches into a half-extent h:
 * the largest k with k − ½ < h. */
static int
radius_for_extent (double h)
{
  return (int) MIN (ceil (h + 0.5 - 1e-9) - 1, (double) MAX_RADIUS);
}

/* Generators */

static CvlKernel *
generate_box (const double *values)
{
  int size = (int) values[0];
  CvlKernel *kernel = cvl_kernel_new (size, size, NULL);
  float weight = (float) (1.0 / ((double) size * size));

  for (gsize i = 0; i < (gsize) size * size; i++)
    kernel->values[i] = weight;

  return kernel;
}

static CvlKernel *
generate_gaussian (const double *values)
{
  int radius = gaussian_radius (values[0], 3);
  g_autofree double *g = gaussian_2d (values[0], radius);

  return kernel_from_doubles (2 * radius + 1, 2 * radius + 1, g);
}

static CvlKernel *
generate_disk (const double *values)
{
  Disk disk = { values[0] };
  int radius = radius_for_extent (disk.r);

  return rasterize (&disk_class, &disk, radius, radius);
}

/* The angle turns counter-clockwise as seen on screen, where y points down:
 * 0° is horizontal, 90° vertical. */
static CvlKernel *
generate_motion (const double *values)
{
  double radians = values[1] * G_PI / 180;
  Bar bar = { values[0] / 2, cos (radians), -sin (radians) };
  int rx, ry;

  /* exact zeros at the right angles, so 90° is a clean vertical column */
  if (fmod (values[1], 90) == 0)
    {
      bar.dx = rint (bar.dx);
      bar.dy = rint (bar.dy);
    }
  rx = radius_for_extent (bar.half_len * fabs (bar.dx) + 0.5 * fabs (bar.dy));
  ry = radius_for_extent (bar.half_len * fabs (bar.dy) + 0.5 * fabs (bar.dx));

  return rasterize (&bar_class, &bar, rx, ry);
}

/* Subtract the mean so the weights sum to 0: flat regions give 0. */
static void
make_zero_sum (double *values,
               gsize   n)
{
  double mean = sum_doubles (values, n) / n;

  for (gsize i = 0; i < n; i++)
    values[i] -= mean;
}

/* ∇²G sampled over 2·⌈4σ⌉ + 1 cells (its ring reaches further than the
 * Gaussian's 3σ), made zero-sum, then scaled so that Σ k·(x² + y²) = 4: like
 * the edge preset, it answers x² + y² with ∇²(x² + y²) = 4. */
static CvlKernel *
generate_log (const double *values)
{
  double sigma = values[0], s2 = sigma * sigma;
  int radius = gaussian_radius (sigma, 4), side = 2 * radius + 1;
  gsize n = (gsize) side * side;
  g_autofree double *k = g_new (double, n);
  double moment = 0;

  for (int y = -radius; y <= radius; y++)
    for (int x = -radius; x <= radius; x++)
      {
        double r2 = (double) x * x + (double) y * y;

        k[(gsize) (y + radius) * side + x + radius] = (r2 - 2 * s2) * exp (-r2 / (2 * s2));
      }
  make_zero_sum (k, n);

  for (int y = -radius; y <= radius; y++)
    for (int x = -radius; x <= radius; x++)
      moment += k[(gsize) (y + radius) * side + x + radius] * ((double) x * x + (double) y * y);
  g_assert (moment > 0);
  scale_doubles (k, n, 4 / moment);

  return kernel_from_doubles (side, side, k);
}

/* G(σ) − G(ratio·σ), each normalised on the wide one's support. */
static CvlKernel *
generate_dog (const double *values)
{
  double sigma = values[0], wide = values[0] * values[1];
  int radius = gaussian_radius (wide, 3), side = 2 * radius + 1;
  gsize n = (gsize) side * side;
  g_autofree double *narrow_g = gaussian_2d (sigma, radius);
  g_autofree double *wide_g = gaussian_2d (wide, radius);

  for (gsize i = 0; i < n; i++)
    narrow_g[i] -= wide_g[i];
  make_zero_sum (narrow_g, n);

  return kernel_from_doubles (side, side, narrow_g);
}

/* (1 + amount)·δ − amount·G(σ): the image plus amount × (image − blur). */
static CvlKernel *
generate_unsharp (const double *values)
{
  double amount = values[0];
  int radius = gaussian_radius (values[1], 3), side = 2 * radius + 1;
  gsize n = (gsize) side * side;
  g_autofree double *k = gaussian_2d (values[1], radius);

  scale_doubles (k, n, -amount);
  k[(gsize) radius * side + radius] += 1 + amount;

  return kernel_from_doubles (side, side, k);
}

/* Parameters */

static gboolean
check_value (const CvlGenParamInfo *param,
             gboolean               whole,
             double                 value,
             GError               **error)
{
  if (!isfinite (value) || value < param->min || value > param->max)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "%s must be %sbetween %g and %g", param->name,
                   whole ? "a whole number " : "", param->min, param->max);
      return FALSE;
    }
  if (whole && value != floor (value))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "%s must be a whole number between %g and %g, not %g",
                   param->name, param->min, param->max, value);
      return FALSE;
    }

  return TRUE;
}

static char *
generator_ids (void)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (generators); i++)
    g_string_append_printf (text, "%s%s", i == 0 ? "" : ", ", generators[i].info.id);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const Generator *
lookup_generator (const char  *id,
                  GError     **error)
{
  const Generator *generator = find_generator (id);
  g_autofree char *ids = NULL;

  if (generator != NULL)
    return generator;

  ids = generator_ids ();
  g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
               "There is no kernel generator called “%s”; the generators are %s", id, ids);
  return NULL;
}

CvlKernel *
cvl_kernel_generate (const char    *id,
                     const double  *values,
                     GError       **error)
{
  const Generator *generator;
  double checked[CVL_GEN_MAX_PARAMS];

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  generator = lookup_generator (id, error);
  if (generator == NULL)
    return NULL;

  /* NULL values: every parameter at its default */
  for (guint i = 0; i < generator->info.n_params; i++)
    {
      const CvlGenParamInfo *param = &generator->info.params[i];

      checked[i] = values != NULL ? values[i] : param->value;
      if (!check_value (param, generator->whole_params & (1u << i), checked[i], error))
        return NULL;
    }

  return generator->generate (checked);
}

/* Plain decimal syntax, as in kernel cells: no "nan", "inf" or hex floats. */
static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (*text == '\0' || text[strspn (text, "0123456789+-.eE")] != '\0'
      || strpbrk (text, "0123456789") == NULL)
    return FALSE;

  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value);
}

static char *
param_names (const CvlGeneratorInfo *info)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < info->n_params; i++)
    g_string_append_printf (text, "%s%s", i == 0 ? "" : " and ", info->params[i].name);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* One "key=value" into values[]; `seen` catches repeated keys. */
static gboolean
parse_assignment (const CvlGeneratorInfo *info,
                  const char             *item,
                  double                 *values,
                  guint                  *seen,
                  GError                **error)
{
  const char *equals = strchr (item, '=');
  g_autofree char *key = NULL;
  g_autofree char *text = NULL;
  g_autofree char *names = NULL;

  if (equals == NULL)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                   "“%s” is not key=value, as in %s=%g",
                   item, info->params[0].name, info->params[0].value);
      return FALSE;
    }
  key = g_strstrip (g_strndup (item, equals - item));
  text = g_strstrip (g_strdup (equals + 1));

  for (guint i = 0; i < info->n_params; i++)
    {
      if (!g_str_equal (key, info->params[i].name))
        continue;

      if (*seen & (1u << i))
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                       "%s is given twice", key);
          return FALSE;
        }
      if (!parse_number (text, &values[i]))
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                       "%s=“%s”: not a number", key, text);
          return FALSE;
        }
      *seen |= 1u << i;
      return TRUE;
    }

  names = param_names (info);
  g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
               "The %s generator has no parameter “%s”; it takes %s", info->id, key, names);
  return FALSE;
}

CvlKernel *
cvl_kernel_parse_generator (const char  *spec,
                            GError     **error)
{
  const char *colon;
  g_autofree char *id = NULL;
  g_autofree char *rest = NULL;
  const Generator *generator;
  double values[CVL_GEN_MAX_PARAMS];
  guint seen = 0;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  colon = strchr (spec, ':');
  id = g_strstrip (colon != NULL ? g_strndup (spec, colon - spec) : g_strdup (spec));
  generator = lookup_generator (id, error);
  if (generator == NULL)
    return NULL;

  for (guint i = 0; i < generator->info.n_params; i++)
    values[i] = generator->info.params[i].value;

  /* "gaussian" and "gaussian:" both mean all defaults */
  rest = g_strstrip (g_strdup (colon != NULL ? colon + 1 : ""));
  if (*rest != '\0')
    {
      g_auto(GStrv) items = g_strsplit (rest, ",", -1);

      for (guint i = 0; items[i] != NULL; i++)
        {
          g_strstrip (items[i]);
          if (*items[i] == '\0')
            {
              g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE,
                           "“%s” has an empty parameter between commas", spec);
              return NULL;
            }
          if (!parse_assignment (&generator->info, items[i], values, &seen, error))
            return NULL;
        }
    }

  return cvl_kernel_generate (id, values, error);
}

/* Kernels from pictures */

CvlKernel *
cvl_kernel_new_from_image (const CvlImage  *image,
                           GError         **error)
{
  g_autofree double *luma = NULL;
  gsize n;
  double sum = 0;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (image->channels >= 1 && image->channels <= 4, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (image->width > CVL_KERNEL_MAX_SIZE || image->height > CVL_KERNEL_MAX_SIZE)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   "A %d×%d picture is too large for a kernel: each side can have at most %d "
                   "pixels", image->width, image->height, CVL_KERNEL_MAX_SIZE);
      return NULL;
    }

  /* 1 channel: gray; 2: gray + alpha; 3: RGB; 4: RGBA. Alpha scales the luma,
   * so transparent pixels weigh nothing. */
  n = (gsize) image->width * image->height;
  luma = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      double value;

      if (image->channels >= 3)
        value = 0.2989 * cvl_image_plane (image, 0)[i]
                + 0.5870 * cvl_image_plane (image, 1)[i]
                + 0.1140 * cvl_image_plane (image, 2)[i];
      else
        value = cvl_image_plane (image, 0)[i];
      if (image->channels == 2 || image->channels == 4)
        value *= cvl_image_plane (image, image->channels - 1)[i];
      luma[i] = value;
      sum += value;
    }

  if (!(sum > 0) || !isfinite (sum))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   "The picture is black (or transparent): a kernel made from it would be "
                   "all zeros");
      return NULL;
    }

  scale_doubles (luma, n, 1 / sum);
  return kernel_from_doubles (image->width, image->height, luma);
}
