/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `convolve-cli bench conv`: times every convolution engine on one random
 * image for a range of kernel sizes, so the auto engine's choice can be
 * checked against the measured winner on the machine at hand. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cvl-cli.h"
#include "cvl-conv.h"
#include "cvl-error.h"

#define DEFAULT_WIDTH        4000
#define DEFAULT_HEIGHT       3000
#define DEFAULT_KERNEL_SIZES "3,5,9,15,25,41,63"
#define DEFAULT_RUNS         5
#define MAX_RUNS             50
#define MAX_BENCH_PIXELS     (64 * 1024 * 1024)
#define MAX_THREADS          1024

/* Multiply-adds one direct run may take on the whole image; beyond that it
 * runs on a crop and the time is scaled by the pixel count, which direct
 * convolution follows closely (a 63×63 kernel on 12 MP would take minutes). */
#define DIRECT_BUDGET 1.0e10

/* A warm-up this slow leaves fewer timed runs. */
#define SLOW_RUN_US   1000000
#define MEDIUM_RUN_US 300000

typedef struct
{
  int     width, height;
  GArray *kernel_sizes;   /* int */
  int     threads;        /* 0: the engine's default */
  int     runs;
} BenchArgs;

typedef struct
{
  double    ms;              /* median, scaled to the whole image */
  int       runs;
  int       crop_w, crop_h;  /* 0 when the whole image was used */
  CvlEngine ran;             /* what cvl_conv_resolve_engine() says ran */
} Timing;

static gboolean
parse_int (const char  *option,
           const char  *value,
           int          min,
           int          max,
           int         *result,
           GError     **error)
{
  guint64 number;

  if (g_ascii_string_to_unsigned (value, 10, min, max, &number, NULL))
    {
      *result = number;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s takes a whole number from %d to %d, not “%s”"), option, min, max, value);
  return FALSE;
}

static gboolean
on_size (const char *option, const char *value, gpointer data, GError **error)
{
  BenchArgs *args = data;
  g_auto(GStrv) parts = g_strsplit_set (value, "xX", 3);
  guint64 w, h;

  if (g_strv_length (parts) == 2
      && g_ascii_string_to_unsigned (parts[0], 10, 1, 16384, &w, NULL)
      && g_ascii_string_to_unsigned (parts[1], 10, 1, 16384, &h, NULL)
      && w * h <= MAX_BENCH_PIXELS)
    {
      args->width = w;
      args->height = h;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s takes WxH with each side from 1 to 16384 and at most %d million pixels, "
                 "not “%s”"), option, MAX_BENCH_PIXELS / (1024 * 1024), value);
  return FALSE;
}

static gboolean
on_kernel_sizes (const char *option, const char *value, gpointer data, GError **error)
{
  BenchArgs *args = data;
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);

  g_array_set_size (args->kernel_sizes, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      int size;

      if (!parse_int (option, g_strstrip (parts[i]), 1, CVL_KERNEL_MAX_SIZE, &size, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s takes sizes from 1 to %d separated by commas, not “%s”"),
                       option, CVL_KERNEL_MAX_SIZE, value);
          return FALSE;
        }
      g_array_append_val (args->kernel_sizes, size);
    }
  return TRUE;
}

static gboolean
on_threads (const char *option, const char *value, gpointer data, GError **error)
{
  BenchArgs *args = data;

  return parse_int (option, value, 1, MAX_THREADS, &args->threads, error);
}

static gboolean
on_runs (const char *option, const char *value, gpointer data, GError **error)
{
  BenchArgs *args = data;

  return parse_int (option, value, 1, MAX_RUNS, &args->runs, error);
}

/* xorshift32: fast, and the same numbers on every machine. */
static float
next_random (guint32 *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return (*state >> 8) * (1.0f / 16777216.0f);
}

static CvlImage *
random_image (int      width,
              int      height,
              GError **error)
{
  CvlImage *image = cvl_image_new (width, height, 3, error);
  guint32 state = 2463534242u;

  if (image != NULL)
    for (gsize i = 0; i < (gsize) width * height * 3; i++)
      image->data[i] = next_random (&state);
  return image;
}

/* Random weights in [−½, ½): full rank, so no engine can take a shortcut. */
static CvlKernel *
random_kernel (int size)
{
  CvlKernel *kernel = cvl_kernel_new (size, size, NULL);
  guint32 state = 88172645u + size;

  for (int i = 0; i < size * size; i++)
    kernel->values[i] = next_random (&state) - 0.5f;
  return kernel;
}

/* u·vᵀ with positive u and v, what the separable engine is for. */
static CvlKernel *
rank1_kernel (int size)
{
  CvlKernel *kernel = cvl_kernel_new (size, size, NULL);
  g_autofree float *u = g_new (float, size);
  g_autofree float *v = g_new (float, size);
  guint32 state = 1234567u + size;

  for (int i = 0; i < size; i++)
    {
      u[i] = 0.5f + next_random (&state);
      v[i] = 0.5f + next_random (&state);
    }
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      kernel->values[y * size + x] = u[y] * v[x] / (size * size);
  return kernel;
}

/* The top-left crop_w × crop_h of `image`. */
static CvlImage *
crop_image (const CvlImage  *image,
            int              crop_w,
            int              crop_h,
            GError         **error)
{
  CvlImage *crop = cvl_image_new (crop_w, crop_h, image->channels, error);

  if (crop != NULL)
    for (int c = 0; c < image->channels; c++)
      for (int y = 0; y < crop_h; y++)
        memcpy (cvl_image_plane (crop, c) + (gsize) y * crop_w,
                cvl_image_plane (image, c) + (gsize) y * image->width,
                sizeof (float) * crop_w);
  return crop;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* One warm-up run (plans, page faults), then up to `runs` timed runs. */
static gboolean
time_runs (CvlEngine              engine,
           const CvlImage        *image,
           const CvlKernel       *kernel,
           const CvlConvOptions  *options,
           int                    runs,
           CvlImage             **out,
           double                *median_ms,
           int                   *n_runs,
           GError               **error)
{
  double times[MAX_RUNS];
  gint64 start, warm_up;

  start = g_get_monotonic_time ();
  if (!cvl_conv2d (engine, image, kernel, options, out, NULL, error))
    return FALSE;
  warm_up = g_get_monotonic_time () - start;
  if (warm_up > SLOW_RUN_US)
    runs = 1;
  else if (warm_up > MEDIUM_RUN_US)
    runs = MIN (runs, 3);

  for (int i = 0; i < runs; i++)
    {
      start = g_get_monotonic_time ();
      if (!cvl_conv2d (engine, image, kernel, options, out, NULL, error))
        return FALSE;
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }

  qsort (times, runs, sizeof (double), compare_doubles);
  *median_ms = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
  *n_runs = runs;
  return TRUE;
}

static gboolean
time_engine (CvlEngine              engine,
             const CvlImage        *image,
             const CvlKernel       *kernel,
             const CvlConvOptions  *options,
             int                    runs,
             CvlImage             **out,
             Timing                *timing,
             GError               **error)
{
  double work = (double) image->width * image->height * image->channels
                * kernel->width * kernel->height;
  g_autoptr(CvlImage) crop = NULL;
  g_autoptr(CvlImage) crop_out = NULL;
  double fraction;

  memset (timing, 0, sizeof *timing);
  timing->ran = cvl_conv_resolve_engine (engine, image->height, image->width,
                                         image->channels, kernel, options);
  if ((timing->ran != CVL_ENGINE_DIRECT && timing->ran != CVL_ENGINE_NAIVE)
      || work <= DIRECT_BUDGET)
    return time_runs (engine, image, kernel, options, runs, out,
                      &timing->ms, &timing->runs, error);

  fraction = sqrt (DIRECT_BUDGET / work);
  timing->crop_w = MAX (kernel->width, (int) (image->width * fraction));
  timing->crop_h = MAX (kernel->height, (int) (image->height * fraction));
  timing->crop_w = MIN (timing->crop_w, image->width);
  timing->crop_h = MIN (timing->crop_h, image->height);
  crop = crop_image (image, timing->crop_w, timing->crop_h, error);
  if (crop == NULL
      || !time_runs (engine, crop, kernel, options, runs, &crop_out,
                     &timing->ms, &timing->runs, error))
    return FALSE;
  timing->ms *= (double) image->width * image->height / ((double) crop->width * crop->height);
  return TRUE;
}

/* Columns padded by characters, not bytes ("×" is two bytes). */
static void
print_row (const char *kernel,
           const char *engine,
           const char *ms,
           const char *note)
{
  int pad = 8 - (int) g_utf8_strlen (kernel, -1);

  g_print ("%s%*s  %-10s %10s%s%s\n", kernel, MAX (pad, 0), "", engine, ms,
           *note != '\0' ? "  " : "", note);
}

/* Times `engine` and prints its row; a failure is printed too and counted. */
static void
bench_row (const char            *label,
           CvlEngine              engine,
           const CvlImage        *image,
           const CvlKernel       *kernel,
           const CvlConvOptions  *options,
           const BenchArgs       *args,
           const char            *note,
           CvlImage             **out,
           int                   *n_failed,
           GError               **first_error)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (note);
  g_autofree char *ms = NULL;
  Timing timing;

  if (!time_engine (engine, image, kernel, options, args->runs, out, &timing, &error))
    {
      g_autofree char *message = g_strdup (error->message);

      g_strdelimit (message, "\r\n", ' ');
      print_row (label, cvl_engine_to_string (engine), "failed", message);
      if (*n_failed == 0)
        g_propagate_prefixed_error (first_error, g_steal_pointer (&error),
                                    "%s with a %s kernel: ",
                                    cvl_engine_to_string (engine), label);
      (*n_failed)++;
      return;
    }

  if (engine == CVL_ENGINE_AUTO || timing.ran != engine)
    g_string_append_printf (text, "%s%s %s", text->len > 0 ? "; " : "",
                            engine == CVL_ENGINE_AUTO ? "picked" : "ran as",
                            cvl_engine_to_string (timing.ran));
  if (timing.crop_w > 0)
    g_string_append_printf (text, "%stimed on a %d×%d crop, scaled by the pixel count",
                            text->len > 0 ? "; " : "", timing.crop_w, timing.crop_h);
  if (timing.runs < args->runs)
    g_string_append_printf (text, "%s%d run%s", text->len > 0 ? "; " : "",
                            timing.runs, timing.runs == 1 ? "" : "s");

  ms = g_strdup_printf ("%.2f", timing.ms);
  print_row (label, cvl_engine_to_string (engine), ms, text->str);
}

static gboolean
bench_conv (const BenchArgs  *args,
            GError          **error)
{
  g_autoptr(CvlImage) image = NULL;
  g_autoptr(CvlImage) out = NULL;
  g_autoptr(GError) first_error = NULL;
  CvlConvOptions options;
  int n_failed = 0;

  cvl_conv_options_init (&options);
  if (args->threads > 0)
    cvl_conv_set_threads (args->threads);

  /* auto should pick by this machine's figures, as the app's does */
  if (!cvl_conv_calibrate (NULL, error))
    return FALSE;
  image = random_image (args->width, args->height, error);
  if (image == NULL)
    return FALSE;

  g_print ("# %d×%d×3 random image, SAME padding, zero border, %d thread%s; "
           "median of up to %d run%s after a warm-up\n",
           args->width, args->height, cvl_conv_get_threads (),
           cvl_conv_get_threads () == 1 ? "" : "s", args->runs, args->runs == 1 ? "" : "s");
  print_row ("kernel", "engine", "median ms", "note");

  for (guint i = 0; i < args->kernel_sizes->len; i++)
    {
      int size = g_array_index (args->kernel_sizes, int, i);
      g_autoptr(CvlKernel) kernel = random_kernel (size);
      g_autoptr(CvlKernel) rank1 = rank1_kernel (size);
      g_autofree char *label = g_strdup_printf ("%d×%d", size, size);
      g_autofree char *rank1_note = NULL;

      /* the random kernels are full rank: separable gets a rank-1 one */
      rank1_note = size > 1 ? g_strdup ("on a rank-1 kernel (the random one is not)")
                            : g_strdup ("");
      bench_row (label, CVL_ENGINE_DIRECT, image, kernel, &options, args, "",
                 &out, &n_failed, &first_error);
      bench_row (label, CVL_ENGINE_SEPARABLE, image, rank1, &options, args, rank1_note,
                 &out, &n_failed, &first_error);
      bench_row (label, CVL_ENGINE_FFT, image, kernel, &options, args, "",
                 &out, &n_failed, &first_error);
      bench_row (label, CVL_ENGINE_AUTO, image, kernel, &options, args, "",
                 &out, &n_failed, &first_error);
    }

  if (n_failed > 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT,
                   _("%d of %u runs failed; the first: %s"), n_failed,
                   4 * args->kernel_sizes->len, first_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
cvl_cli_bench (int      argc,
               char   **argv,
               GError **error)
{
  g_autoptr(GArray) kernel_sizes = g_array_new (FALSE, FALSE, sizeof (int));
  BenchArgs args = { DEFAULT_WIDTH, DEFAULT_HEIGHT, kernel_sizes, 0, DEFAULT_RUNS };
  g_autoptr(GOptionContext) context = NULL;
  const GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_CALLBACK, on_size,
      N_("Image size (default: 4000x3000, 12 MP)"), "WxH" },
    { "kernel-sizes", 0, 0, G_OPTION_ARG_CALLBACK, on_kernel_sizes,
      N_("Kernel sides to time (default: 3,5,9,15,25,41,63)"), "N,N,…" },
    { "threads", 0, 0, G_OPTION_ARG_CALLBACK, on_threads,
      N_("Threads for the engines (default: one per processor)"), "N" },
    { "runs", 0, 0, G_OPTION_ARG_CALLBACK, on_runs,
      N_("Timed runs per engine and size, 1–50; slow ones get fewer (default: 5)"), "N" },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group;

  on_kernel_sizes ("--kernel-sizes", DEFAULT_KERNEL_SIZES, &args, NULL);

  context = cvl_cli_context_new ("bench", "conv",
                                 _("Time the convolution engines (direct, separable, fft, "
                                   "auto) on a random RGB image for several kernel sizes."));
  g_option_context_set_description (context,
    _("Each row is one engine on one kernel size: the median time of the timed runs.\n"
      "Kernels are random and full rank, except for separable, which gets a rank-1\n"
      "kernel of the same size. Direct runs that would take too long are timed on a\n"
      "crop of the image and scaled by the pixel count; the note says so."));
  group = g_option_group_new ("bench", NULL, NULL, &args, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);

  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc != 2 || !g_str_equal (argv[1], "conv"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("bench takes one benchmark, conv; see “convolve-cli bench --help”"));
      return FALSE;
    }

  return bench_conv (&args, error);
}
