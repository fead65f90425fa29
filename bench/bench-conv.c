/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times the direct engine on a 12-megapixel RGB image (the size the peer
 * benchmarks in bench/README use) and on the bundled sample photo's size,
 * first call with a fresh output and steady state with a reused one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cvl-conv.h"
#include "cvl-conv-private.h"
#include "cvl-map.h"

typedef struct
{
  const char *name;
  int         width, height, k;
} BenchCase;

static const BenchCase cases[] = {
  { "12mp", 4000, 3000, 3 },
  { "12mp", 4000, 3000, 5 },
  { "12mp", 4000, 3000, 7 },
  { "sample", 451, 300, 3 },
};

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

static double
run_ms (const CvlImage       *in,
        const CvlKernel      *kernel,
        const CvlConvOptions *options,
        CvlImage            **out)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!cvl_conv2d (CVL_ENGINE_DIRECT, in, kernel, options, out, NULL, &error))
    g_error ("convolution failed: %s", error->message);

  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  int threads = 2, runs = 9;
  g_autofree char *csv_path = NULL;
  GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Worker threads (default 2)", "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Steady-state runs per case (at least 7)", "N" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, "Also write the results as CSV", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time the direct convolution engine");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) csv = g_string_new ("case,width,height,channels,kernel,engine,isa,border,"
                                         "threads,first_ms,median_ms,min_ms,max_ms,runs,"
                                         "ms_per_mpch\n");
  guint32 seed = 12345;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  runs = MAX (runs, 7);
  cvl_conv_set_threads (threads);

  printf ("# direct engine (%s loops), %d thread(s), SAME, reflect-101, stride 1, float32 "
          "planar RGB; ms per megapixel-channel = median / (W·H·3 / 1e6)\n",
          cvl_conv_direct_get_isa (), cvl_conv_get_threads ());

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BenchCase *c = &cases[i];
      g_autoptr(CvlImage) in = cvl_image_new (c->width, c->height, 3, NULL);
      g_autoptr(CvlKernel) kernel = cvl_kernel_new (c->k, c->k, NULL);
      g_autoptr(CvlImage) out = NULL;
      g_autofree double *times = NULL;
      gsize n = (gsize) c->width * c->height * 3;
      int n_runs = c->width * c->height < 1000000 ? runs * 10 : runs;
      CvlConvOptions options;
      double first, median, mpch = n / 1e6;

      for (gsize j = 0; j < n; j++)
        in->data[j] = next_random (&seed);
      /* random, non-separable, all taps non-zero, sum 1 (as conv_peers.py) */
      for (int j = 0; j < c->k * c->k; j++)
        kernel->values[j] = 0.1f + 0.9f * next_random (&seed);
      cvl_kernel_normalize (kernel);

      cvl_conv_options_init (&options);
      options.border = CVL_BORDER_REFLECT;

      first = run_ms (in, kernel, &options, &out);
      times = g_new (double, n_runs);
      for (int r = 0; r < n_runs; r++)
        times[r] = run_ms (in, kernel, &options, &out);
      qsort (times, n_runs, sizeof (double), compare_double);
      median = times[n_runs / 2];

      printf ("conv case=%s image=%dx%dx3 kernel=%dx%d engine=direct threads=%d "
              "first_ms=%.1f median_ms=%.2f min_ms=%.2f max_ms=%.2f runs=%d ms_per_mpch=%.4f\n",
              c->name, c->width, c->height, c->k, c->k, cvl_conv_get_threads (),
              first, median, times[0], times[n_runs - 1], n_runs, median / mpch);
      fflush (stdout);

      g_string_append_printf (csv, "%s,%d,%d,3,%d,direct,%s,reflect101,%d,"
                              "%.2f,%.3f,%.3f,%.3f,%d,%.5f\n",
                              c->name, c->width, c->height, c->k, cvl_conv_direct_get_isa (),
                              cvl_conv_get_threads (),
                              first, median, times[0], times[n_runs - 1], n_runs, median / mpch);
    }

  /* The display map that follows every convolution in the UI, on the main
   * thread there: 12 MP RGB (and gray for the signed map) to RGBA8. */
  {
    static const CvlMap maps[] = { CVL_MAP_CLAMP, CVL_MAP_NORMALIZE, CVL_MAP_SIGNED };
    g_autoptr(CvlImage) values = cvl_image_new (4000, 3000, 3, NULL);
    g_autofree guint8 *pixels = g_malloc ((gsize) 4000 * 3000 * 4);
    double times[7];

    for (gsize j = 0; j < (gsize) 4000 * 3000 * 3; j++)
      values->data[j] = 2 * next_random (&seed) - 0.5f;
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

  if (csv_path != NULL && !g_file_set_contents (csv_path, csv->str, csv->len, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}
