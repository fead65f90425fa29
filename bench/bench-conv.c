/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times the convolution engines (direct, separable, FFT, auto) on a
 * 12-megapixel RGB image (the size the peer benchmarks in bench/README use)
 * for a range of kernel sizes: the first call of each case in the process
 * (cold plans, spectra and scratch) and the steady state with a reused output,
 * plus the engine AUTO picks and how far that is from the fastest. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvl-conv.h"
#include "cvl-conv-private.h"
#include "cvl-map.h"
#include "cvl-parallel.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* An engine whose warm call is this much slower than the fastest engine's for
 * the same kernel is not run again (direct with 63×63 takes seconds). */
#define HOPELESS_FACTOR 3.0

typedef enum { KERNEL_RAND, KERNEL_GAUSS } KernelKind;

typedef struct
{
  double    first_ms;
  double    median_ms;
  double    min_ms, max_ms;
  int       runs;
  CvlEngine ran;
  double    choice_ratio;  /* the engine AUTO picked over the fastest, for this case */
} Timing;

/* xorshift32: fast, and the same numbers on every machine */
static float
next_random (guint32 *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return (*state >> 8) * (1.0f / 16777216.0f);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* As conv_peers.py: 'rand' is uniform in [0.1, 1), 'gauss' has σ = k/6; both
 * sum to 1 and have no zero tap. */
static CvlKernel *
make_kernel (KernelKind kind,
             int        k,
             guint32   *seed)
{
  CvlKernel *kernel = cvl_kernel_new (k, k, NULL);
  double s = k / 6.0;

  for (int y = 0; y < k; y++)
    for (int x = 0; x < k; x++)
      {
        double ry = y - (k - 1) / 2.0, rx = x - (k - 1) / 2.0;

        kernel->values[y * k + x] = kind == KERNEL_RAND
          ? 0.1f + 0.9f * next_random (seed)
          : (float) exp (-(ry * ry + rx * rx) / (2 * s * s));
      }
  cvl_kernel_normalize (kernel);

  return kernel;
}

static double
run_ms (CvlEngine             engine,
        const CvlImage       *in,
        const CvlKernel      *kernel,
        const CvlConvOptions *options,
        CvlImage            **out)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!cvl_conv2d (engine, in, kernel, options, out, NULL, &error))
    g_error ("convolution failed: %s", error->message);

  return (g_get_monotonic_time () - start) / 1000.0;
}

/* The memory floor of any SAME, stride-1 filter on planar float32: read the
 * input once and write the output once (streaming stores), split over the
 * threads as the direct engine splits its rows. */
#define FLOOR_ROWS 16

typedef struct
{
  const CvlImage *in;
  CvlImage       *out;
  int             n_blocks;  /* per channel */
} FloorCopy;

static void
floor_task (gpointer data,
            guint    task)
{
  const FloorCopy *f = data;
  int c = task / f->n_blocks, y0 = task % f->n_blocks * FLOOR_ROWS;
  int y1 = MIN (y0 + FLOOR_ROWS, f->in->height);
  gsize n = (gsize) (y1 - y0) * f->in->width;
  const float *src = cvl_image_plane (f->in, c) + (gsize) y0 * f->in->width;
  float *dst = cvl_image_plane (f->out, c) + (gsize) y0 * f->in->width;
  gsize i = 0;

#if defined(__x86_64__)
  for (; i < n && (guintptr) (dst + i) % 16 != 0; i++)
    dst[i] = src[i];
  for (; i + 4 <= n; i += 4)
    _mm_stream_ps (dst + i, _mm_loadu_ps (src + i));
  _mm_sfence ();
#endif
  for (; i < n; i++)
    dst[i] = src[i];
}

static double
floor_ms (const CvlImage *in,
          CvlImage       *out)
{
  FloorCopy f = { in, out, (in->height + FLOOR_ROWS - 1) / FLOOR_ROWS };
  gint64 start = g_get_monotonic_time ();

  cvl_parallel_for (f.n_blocks * in->channels, cvl_conv_get_threads (), floor_task, &f, NULL);

  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
summarise (double *times,
           int     n,
           Timing *t)
{
  qsort (times, n, sizeof (double), compare_double);
  t->median_ms = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  t->min_ms = times[0];
  t->max_ms = times[n - 1];
  t->runs = n;
}

/* Times every engine (and the copy floor when `floor` is not NULL) on one
 * kernel. The first call of each is timed alone; then the runs are
 * interleaved, one call of each engine per round, so a burst of load from
 * another process slows all engines alike and the medians stay comparable.
 * An engine whose first call, or else warm call, is HOPELESS_FACTOR times the
 * fastest one's is not run again: that call stands for its median. */
static void
time_cases (const CvlEngine      *engines,
            guint                 n_engines,
            const CvlImage       *in,
            const CvlKernel      *kernel,
            const CvlConvOptions *options,
            CvlImage            **out,
            int                   runs,
            Timing               *timings,
            Timing               *floor)
{
  g_autofree double *times = g_new (double, (gsize) (n_engines + 1) * runs);
  g_autofree double *warm = g_new (double, n_engines);
  double fastest_warm = G_MAXDOUBLE;

  for (guint e = 0; e < n_engines; e++)
    {
      Timing *t = &timings[e];

      t->ran = cvl_conv_resolve_engine (engines[e], in->height, in->width, in->channels,
                                        kernel, options);
      /* The output exists and is faulted in (the app reuses its result
       * buffer): the first call pays only for the engine's own cold state. */
      t->first_ms = run_ms (engines[e], in, kernel, options, out);
    }
  for (guint e = 0; e < n_engines; e++)
    fastest_warm = MIN (fastest_warm, timings[e].first_ms);
  for (guint e = 0; e < n_engines; e++)
    {
      /* Direct with 63×63 takes seconds a call: its first call will do. */
      warm[e] = timings[e].first_ms > HOPELESS_FACTOR * fastest_warm
        ? timings[e].first_ms : run_ms (engines[e], in, kernel, options, out);
    }
  fastest_warm = G_MAXDOUBLE;
  for (guint e = 0; e < n_engines; e++)
    fastest_warm = MIN (fastest_warm, warm[e]);

  for (int r = 0; r < runs; r++)
    {
      for (guint e = 0; e < n_engines; e++)
        if (warm[e] <= HOPELESS_FACTOR * fastest_warm)
          times[e * runs + r] = run_ms (engines[e], in, kernel, options, out);
      if (floor != NULL)
        times[n_engines * runs + r] = floor_ms (in, *out);
    }

  for (guint e = 0; e < n_engines; e++)
    {
      Timing *t = &timings[e];

      if (warm[e] <= HOPELESS_FACTOR * fastest_warm)
        summarise (times + e * runs, runs, t);
      else
        {
          t->median_ms = t->min_ms = t->max_ms = warm[e];
          t->runs = 0;
        }
    }
  if (floor != NULL)
    summarise (times + n_engines * runs, runs, floor);
}

static gboolean
parse_sizes (const char  *text,
             GArray      *sizes,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (int i = 0; parts[i] != NULL; i++)
    {
      g_auto(GStrv) range = g_strsplit (parts[i], "-", 2);
      guint64 lo, hi;

      if (!g_ascii_string_to_unsigned (range[0], 10, 1, CVL_KERNEL_MAX_SIZE, &lo, error))
        return FALSE;
      hi = lo;
      if (range[1] != NULL &&
          !g_ascii_string_to_unsigned (range[1], 10, lo, CVL_KERNEL_MAX_SIZE, &hi, error))
        return FALSE;
      for (guint64 k = lo; k <= hi; k++)
        {
          int v = (int) k;

          g_array_append_val (sizes, v);
        }
    }

  return TRUE;
}

static gboolean
parse_engines (const char  *text,
               GArray      *engines,
               GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (int i = 0; parts[i] != NULL; i++)
    {
      CvlEngine e;

      if (!cvl_engine_from_string (parts[i], &e))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "Unknown engine “%s”", parts[i]);
          return FALSE;
        }
      g_array_append_val (engines, e);
    }

  return TRUE;
}

static void
bench_maps (guint32 *seed)
{
  /* The display map that follows every convolution in the UI, on the main
   * thread there: 12 MP RGB (and gray for the signed map) to RGBA8. */
  static const CvlMap maps[] = { CVL_MAP_CLAMP, CVL_MAP_NORMALIZE, CVL_MAP_SIGNED };
  g_autoptr(CvlImage) values = cvl_image_new (4000, 3000, 3, NULL);
  g_autofree guint8 *pixels = g_malloc ((gsize) 4000 * 3000 * 4);
  double times[7];

  for (gsize j = 0; j < (gsize) 4000 * 3000 * 3; j++)
    values->data[j] = 2 * next_random (seed) - 0.5f;
  cvl_map_to_rgba8 (values, NULL, CVL_MAP_CLAMP, pixels, 4000 * 4); /* faults in `pixels` */

  for (gsize m = 0; m < G_N_ELEMENTS (maps) * 2; m++)
    {
      CvlImage gray = *values;
      const CvlImage *mapped = values;

      /* second round: one channel (signed gray uses the diverging colours) */
      if (m >= G_N_ELEMENTS (maps))
        {
          gray.channels = 1;
          mapped = &gray;
        }

      for (int r = 0; r < 7; r++)
        {
          gint64 start = g_get_monotonic_time ();

          cvl_map_to_rgba8 (mapped, NULL, maps[m % G_N_ELEMENTS (maps)], pixels, 4000 * 4);
          times[r] = (g_get_monotonic_time () - start) / 1000.0;
        }
      qsort (times, 7, sizeof (double), compare_double);
      printf ("map case=12mp image=4000x3000x%d map=%s threads=%d median_ms=%.2f min_ms=%.2f\n",
              mapped->channels, cvl_map_to_string (maps[m % G_N_ELEMENTS (maps)]),
              cvl_conv_get_threads (), times[3], times[0]);
    }
}

int
main (int   argc,
      char *argv[])
{
  int threads = 2, runs = 7, width = 4000, height = 3000;
  gboolean no_calibrate = FALSE, calibrate_only = FALSE, maps = FALSE, with_floor = FALSE;
  g_autofree char *csv_path = NULL;
  g_autofree char *sizes_text = NULL;
  g_autofree char *engines_text = NULL;
  g_autofree char *kernels_text = NULL;
  GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Worker threads (default 2)", "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Steady-state runs per case (at least 5)", "N" },
    { "kernel-sizes", 'k', 0, G_OPTION_ARG_STRING, &sizes_text,
      "Kernel sides, e.g. 1,3,5 or 1-63 (default 3,5,7,11,15,31,63)", "LIST" },
    { "engines", 'e', 0, G_OPTION_ARG_STRING, &engines_text,
      "Engines, timed in this order (default fft,separable,direct,auto)", "LIST" },
    { "kernels", 0, 0, G_OPTION_ARG_STRING, &kernels_text,
      "Kernel kinds: rand (not separable), gauss (default rand,gauss)", "LIST" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Image width (default 4000)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Image height (default 3000)", "H" },
    { "no-calibrate", 0, 0, G_OPTION_ARG_NONE, &no_calibrate,
      "AUTO with the built-in cost model (else calibrate, or load the cached model)", NULL },
    { "calibrate-only", 0, 0, G_OPTION_ARG_NONE, &calibrate_only,
      "Calibrate (or load the cached model) and exit", NULL },
    { "maps", 0, 0, G_OPTION_ARG_NONE, &maps, "Also time the display maps", NULL },
    { "floor", 0, 0, G_OPTION_ARG_NONE, &with_floor,
      "Also time a streaming copy of the image (the memory floor), interleaved", NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, "Also write the results as CSV", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time the convolution engines");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) engines = g_array_new (FALSE, FALSE, sizeof (CvlEngine));
  g_autoptr(GString) csv = g_string_new ("case,width,height,channels,kernel,kind,engine,ran,"
                                         "isa,border,threads,first_ms,median_ms,min_ms,"
                                         "max_ms,runs,ms_per_mpch,auto_choice_ratio\n");
  g_autoptr(CvlImage) in = NULL;
  g_autoptr(CvlImage) out = NULL;
  g_auto(GStrv) kinds = NULL;
  guint32 seed = 12345;
  gboolean all_within = TRUE;
  double worst_ratio = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !parse_sizes (sizes_text != NULL ? sizes_text : "3,5,7,11,15,31,63", sizes, &error) ||
      !parse_engines (engines_text != NULL ? engines_text : "fft,separable,direct,auto",
                      engines, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  runs = MAX (runs, 5);
  cvl_conv_set_threads (threads);
  kinds = g_strsplit (kernels_text != NULL ? kernels_text : "rand,gauss", ",", -1);

  if (!no_calibrate)
    {
      gboolean cached = cvl_conv_is_calibrated ();
      gint64 start = g_get_monotonic_time ();

      if (!cvl_conv_calibrate (NULL, &error))
        g_error ("calibration failed: %s", error->message);
      printf ("# cost model: %s in %.0f ms\n", cached ? "loaded from the cache" : "measured",
              (g_get_monotonic_time () - start) / 1000.0);
    }
  else
    printf ("# cost model: built in\n");
  if (calibrate_only)
    return EXIT_SUCCESS;

  in = cvl_image_new (width, height, 3, &error);
  if (in == NULL)
    g_error ("%s", error->message);
  for (gsize j = 0; j < (gsize) width * height * 3; j++)
    in->data[j] = next_random (&seed);
  out = cvl_image_new (width, height, 3, &error);
  if (out == NULL)
    g_error ("%s", error->message);
  memset (out->data, 0, sizeof (float) * width * height * 3);

  printf ("# %d×%d×3 float32 planar, %d thread(s), SAME, reflect-101, stride 1 (%s loops); "
          "first = first call of the case in this process, output buffer already faulted in\n",
          width, height, cvl_conv_get_threads (), cvl_conv_direct_get_isa ());

  for (int kk = 0; kinds[kk] != NULL; kk++)
    {
      KernelKind kind = g_str_equal (kinds[kk], "gauss") ? KERNEL_GAUSS : KERNEL_RAND;

      for (guint i = 0; i < sizes->len; i++)
        {
          int k = g_array_index (sizes, int, i);
          g_autoptr(CvlKernel) kernel = make_kernel (kind, k, &seed);
          g_autofree Timing *timings = g_new0 (Timing, engines->len);
          CvlConvOptions options;
          Timing floor = { 0 };
          double best = G_MAXDOUBLE, mpch = (double) width * height * 3 / 1e6;
          int auto_index = -1;

          cvl_conv_options_init (&options);
          options.border = CVL_BORDER_REFLECT;

          time_cases ((const CvlEngine *) engines->data, engines->len, in, kernel, &options,
                      &out, runs, timings, with_floor ? &floor : NULL);
          for (guint e = 0; e < engines->len; e++)
            {
              CvlEngine engine = g_array_index (engines, CvlEngine, e);
              Timing *t = &timings[e];

              if (engine != CVL_ENGINE_AUTO)
                best = MIN (best, t->median_ms);
              else
                auto_index = e;

              printf ("conv image=%dx%dx3 kernel=%dx%d kind=%s engine=%s ran=%s threads=%d "
                      "first_ms=%.1f median_ms=%.2f min_ms=%.2f max_ms=%.2f runs=%d "
                      "ms_per_mpch=%.4f model_ms=%.1f",
                      width, height, k, k, kinds[kk], cvl_engine_to_string (engine),
                      cvl_engine_to_string (t->ran), cvl_conv_get_threads (),
                      t->first_ms, t->median_ms, t->min_ms, t->max_ms, t->runs,
                      t->median_ms / mpch,
                      cvl_conv_estimate_ns (t->ran, height, width, 3, kernel, &options) / 1e6);
              if (t->ran == CVL_ENGINE_FFT)
                {
                  CvlFftTiling tiling;

                  cvl_conv_fft_choose_tiling (height, width, 3, k, k, &options,
                                              cvl_conv_get_threads (), &tiling);
                  printf (" tile=%dx%d tiles=%d", tiling.tile_w, tiling.tile_h, tiling.n_tiles);
                }
              printf ("\n");
              fflush (stdout);
            }

          if (with_floor)
            {
              printf ("floor image=%dx%dx3 kernel=%dx%d kind=%s threads=%d median_ms=%.2f "
                      "min_ms=%.2f max_ms=%.2f runs=%d (streaming copy in → out)\n",
                      width, height, k, k, kinds[kk], cvl_conv_get_threads (), floor.median_ms,
                      floor.min_ms, floor.max_ms, floor.runs);
              g_string_append_printf (csv, "%s,%d,%d,3,%d,%s,floor,floor,%s,reflect101,%d,"
                                      "0,%.3f,%.3f,%.3f,%d,%.5f,0\n",
                                      width == 4000 && height == 3000 ? "12mp" : "custom",
                                      width, height, k, kinds[kk], cvl_conv_direct_get_isa (),
                                      cvl_conv_get_threads (), floor.median_ms, floor.min_ms,
                                      floor.max_ms, floor.runs, floor.median_ms / mpch);
            }

          if (auto_index >= 0 && best < G_MAXDOUBLE)
            {
              /* The choice is judged by the picked engine's own timing when it
               * was timed as well (the same code: only noise differs), else by
               * AUTO's. */
              double picked_ms = timings[auto_index].median_ms;
              double ratio;

              for (guint e = 0; e < engines->len; e++)
                if (g_array_index (engines, CvlEngine, e) == timings[auto_index].ran)
                  picked_ms = timings[e].median_ms;
              ratio = picked_ms / best;

              printf ("auto kernel=%dx%d kind=%s picked=%s choice_ratio=%.3f "
                      "auto_run_ratio=%.3f%s\n", k, k, kinds[kk],
                      cvl_engine_to_string (timings[auto_index].ran), ratio,
                      timings[auto_index].median_ms / best, ratio > 1.15 ? " OVER-1.15" : "");
              worst_ratio = MAX (worst_ratio, ratio);
              all_within = all_within && ratio <= 1.15;
              for (guint e = 0; e < engines->len; e++)
                timings[e].choice_ratio = ratio;
            }

          for (guint e = 0; e < engines->len; e++)
            {
              const Timing *t = &timings[e];

              g_string_append_printf (csv, "%s,%d,%d,3,%d,%s,%s,%s,%s,reflect101,%d,"
                                      "%.2f,%.3f,%.3f,%.3f,%d,%.5f,%.3f\n",
                                      width == 4000 && height == 3000 ? "12mp" : "custom",
                                      width, height, k, kinds[kk],
                                      cvl_engine_to_string (g_array_index (engines,
                                                                           CvlEngine, e)),
                                      cvl_engine_to_string (t->ran),
                                      cvl_conv_direct_get_isa (), cvl_conv_get_threads (),
                                      t->first_ms, t->median_ms, t->min_ms, t->max_ms,
                                      t->runs, t->median_ms / mpch, t->choice_ratio);
            }
        }
    }

  if (worst_ratio > 0)
    printf ("# auto: worst ratio to the fastest engine %.3f (%s 1.15)\n", worst_ratio,
            all_within ? "within" : "NOT within");

  if (maps)
    bench_maps (&seed);

  if (csv_path != NULL && !g_file_set_contents (csv_path, csv->str, csv->len, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}
