/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AUTO's cost model: a few per-pixel and per-tap figures for the direct and
 * separable engines and a time per FFT tile size, measured once on the machine
 * (cvl_conv_calibrate) and cached in the user's cache folder. */
#include "config.h"

#include <math.h>

#include <fftw3.h>

#include "cvl-conv-private.h"
#include "cvl-error.h"

#define MODEL_VERSION 3
#define MODEL_GROUP "cost-model"
/* The fewest output rows a direct task has (cvl-conv-direct.c shrinks its
 * tasks to this to keep every thread busy), for its parallelism. */
#define DIRECT_MIN_ROWS_PER_TASK 4
/* How much a second FFTW thread adds to one transform (tiles < threads). */
#define FFTW_THREAD_GAIN 0.6
/* The calibration image: RGB with rows as long as a photo's (and not a
 * multiple of 4 KiB, see cvl_conv_direct_uses_3x3()), 49 MB in and as much
 * out, more than the caches hold, so memory costs what it costs on a photo (a
 * 4 MB image made the FFT look 1.5× faster than on 12 MP and AUTO pick it too
 * early; a 32 MB one, half cached, made small direct kernels look 2× faster
 * than the separable engine). */
#define CALIBRATION_W 4000
#define CALIBRATION_H 1024

/* Times in ns·thread (divide by the threads at work), per output value
 * (pixel × channel) unless said otherwise. */
typedef struct
{
  double direct_taps_ns[5];  /* interior output, general path, at DIRECT_TAPS_AT taps */
  double direct_px;          /* beyond: px + tap × taps (continuing the table's end) */
  double direct_tap;
  double direct_border_tap;  /* per tap on border columns (scalar, through the maps) */
  double direct_3x3_px;      /* per output of the 3×3 path (four rows at once), all in */
  double separable_px;
  double separable_h_tap;    /* per tap of the horizontal pass */
  double separable_v_tap;    /* per row read by the vertical pass (blocked) */
  double fft_scale;          /* a whole threaded FFT run over the sum of its tiles */
  double fft_tile[CVL_FFT_N_SIZES];  /* one square tile, one thread, ns */
} CostModel;

/* Measured on the development machine (2 cores of an AMD EPYC, AVX2, FFTW
 * 3.3.10 estimate plans): only the ratios matter until calibration. */
static const CostModel builtin_model = {
  .direct_taps_ns = { 0.5, 0.6, 1.0, 1.8, 2.9 },
  .direct_px = 0.23,
  .direct_tap = 0.043,
  .direct_border_tap = 1.5,
  .direct_3x3_px = 0.5,
  .separable_px = 0.3,
  .separable_h_tap = 0.034,
  .separable_v_tap = 0.043,
  .fft_scale = 1.15,
  .fft_tile = {
    1.0e3, 4.5e3, 4.2e3, 1.7e4, 1.5e4, 1.8e4, 2.75e4, 7.65e4, 1.0e5, 1.07e5,
    1.67e5, 3.03e5, 5.1e5, 8.15e5, 1.32e6, 2.17e6, 3.55e6, 9.09e6, 2.16e7, 4.0e7,
  },
};

static GMutex model_lock;
static CostModel model;
static gboolean model_ready;  /* measured, or loaded from a valid cache file */
static gboolean model_tried;  /* the cache file was looked at */

char *
cvl_conv_cost_model_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "convolve", "cost-model.ini", NULL);
}

static char *
fftw_id (void)
{
  return g_strdup (fftwf_version);
}

static gboolean
value_ok (double v)
{
  return isfinite (v) && v > 0 && v < 1e12;
}

/* NULL-safe: any missing key, wrong version, other machine or odd value
 * makes the whole file invalid. */
static gboolean
model_load (CostModel *m)
{
  g_autofree char *path = cvl_conv_cost_model_path ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *fftw = NULL;
  g_autofree char *isa = NULL;
  g_autofree char *our_fftw = fftw_id ();
  g_autofree double *tiles = NULL;
  gsize n_tiles = 0;
  GError *error = NULL;
  struct { const char *key; double *value; } fields[] = {
    { "direct-px", &m->direct_px },
    { "direct-tap", &m->direct_tap },
    { "direct-border-tap", &m->direct_border_tap },
    { "direct-3x3-px", &m->direct_3x3_px },
    { "separable-px", &m->separable_px },
    { "separable-h-tap", &m->separable_h_tap },
    { "separable-v-tap", &m->separable_v_tap },
    { "fft-scale", &m->fft_scale },
  };

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return FALSE;

  if (g_key_file_get_integer (file, MODEL_GROUP, "version", NULL) != MODEL_VERSION ||
      g_key_file_get_integer (file, MODEL_GROUP, "processors", NULL) !=
        (int) g_get_num_processors ())
    return FALSE;

  fftw = g_key_file_get_string (file, MODEL_GROUP, "fftw", NULL);
  isa = g_key_file_get_string (file, MODEL_GROUP, "isa", NULL);
  if (g_strcmp0 (fftw, our_fftw) != 0 || g_strcmp0 (isa, cvl_conv_direct_get_isa ()) != 0)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      *fields[i].value = g_key_file_get_double (file, MODEL_GROUP, fields[i].key, &error);
      if (error != NULL || !value_ok (*fields[i].value))
        {
          g_clear_error (&error);
          return FALSE;
        }
    }

  {
    g_autofree double *taps = g_key_file_get_double_list (file, MODEL_GROUP, "direct-taps-ns",
                                                          &n_tiles, NULL);

    if (taps == NULL || n_tiles != G_N_ELEMENTS (m->direct_taps_ns))
      return FALSE;
    for (gsize i = 0; i < n_tiles; i++)
      {
        if (!value_ok (taps[i]))
          return FALSE;
        m->direct_taps_ns[i] = taps[i];
      }
  }

  tiles = g_key_file_get_double_list (file, MODEL_GROUP, "fft-tile-ns", &n_tiles, NULL);
  if (tiles == NULL || n_tiles != CVL_FFT_N_SIZES)
    return FALSE;
  for (gsize i = 0; i < n_tiles; i++)
    {
      if (!value_ok (tiles[i]))
        return FALSE;
      m->fft_tile[i] = tiles[i];
    }

  return TRUE;
}

static gboolean
model_save (const CostModel  *m,
            GError          **error)
{
  g_autofree char *path = cvl_conv_cost_model_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *fftw = fftw_id ();

  g_key_file_set_comment (file, NULL, NULL,
                          " Convolve's measurements of this machine for the automatic "
                          "engine choice.\n Delete the file to measure again.", NULL);
  g_key_file_set_integer (file, MODEL_GROUP, "version", MODEL_VERSION);
  g_key_file_set_integer (file, MODEL_GROUP, "processors", (int) g_get_num_processors ());
  g_key_file_set_string (file, MODEL_GROUP, "fftw", fftw);
  g_key_file_set_string (file, MODEL_GROUP, "isa", cvl_conv_direct_get_isa ());
  g_key_file_set_double_list (file, MODEL_GROUP, "direct-taps-ns", (double *) m->direct_taps_ns,
                              G_N_ELEMENTS (m->direct_taps_ns));
  g_key_file_set_double (file, MODEL_GROUP, "direct-px", m->direct_px);
  g_key_file_set_double (file, MODEL_GROUP, "direct-tap", m->direct_tap);
  g_key_file_set_double (file, MODEL_GROUP, "direct-border-tap", m->direct_border_tap);
  g_key_file_set_double (file, MODEL_GROUP, "direct-3x3-px", m->direct_3x3_px);
  g_key_file_set_double (file, MODEL_GROUP, "separable-px", m->separable_px);
  g_key_file_set_double (file, MODEL_GROUP, "separable-h-tap", m->separable_h_tap);
  g_key_file_set_double (file, MODEL_GROUP, "separable-v-tap", m->separable_v_tap);
  g_key_file_set_double (file, MODEL_GROUP, "fft-scale", m->fft_scale);
  g_key_file_set_double_list (file, MODEL_GROUP, "fft-tile-ns", (double *) m->fft_tile,
                              CVL_FFT_N_SIZES);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Cannot create the cache folder %s", dir);
      return FALSE;
    }

  /* g_key_file_save_to_file() writes a temporary file and renames it. */
  return g_key_file_save_to_file (file, path, error);
}

/* The model in use: calibrated, else cached on disk, else built in. */
static void
get_model (CostModel *m)
{
  g_mutex_lock (&model_lock);
  if (!model_tried)
    {
      CostModel loaded;

      model_tried = TRUE;
      if (model_load (&loaded))
        {
          model = loaded;
          model_ready = TRUE;
        }
    }
  *m = model_ready ? model : builtin_model;
  g_mutex_unlock (&model_lock);
}

void
cvl_conv_cost_model_reset (void)
{
  g_mutex_lock (&model_lock);
  model_ready = FALSE;
  model_tried = FALSE;
  g_mutex_unlock (&model_lock);
}

gboolean
cvl_conv_is_calibrated (void)
{
  CostModel m;
  gboolean ready;

  get_model (&m); /* looks at the cache file once */
  g_mutex_lock (&model_lock);
  ready = model_ready;
  g_mutex_unlock (&model_lock);

  return ready;
}

/* ---- estimates ---- */

static int
count_taps (const CvlKernel *k)
{
  int n = 0;

  for (int i = 0; i < k->width * k->height; i++)
    n += k->values[i] != 0;

  return n;
}

/* Output columns whose taps all fall inside the image, as the direct and
 * separable engines split them. */
static int
interior_columns (int                    in_w,
                  const CvlConvGeometry *g,
                  int                    stride)
{
  int last_start = in_w - g->k_eff_w + g->pad_left;
  int begin = MIN ((g->pad_left + stride - 1) / stride, g->out_w);
  int end = last_start < 0 ? 0 : MIN (last_start / stride + 1, g->out_w);

  return MAX (end - begin, 0);
}

/* The general path's cost per interior output is measured at these tap
 * counts (square kernels 1, 2, 4, 6 and 8) and interpolated between them:
 * small kernels are bound by memory more than by their taps, and no one line
 * fits them and 13×13 both (a line put 4×4 at half its time, and AUTO chose
 * it over the separable engine). Beyond 64 taps: direct_px + direct_tap ×
 * taps, through the last point and 13×13. */
static const int direct_taps_at[] = { 1, 4, 16, 36, 64 };
#define DIRECT_LINE_FROM 64

static double
direct_interior_ns (const CostModel *m,
                    int              taps)
{
  if (taps >= DIRECT_LINE_FROM)
    return m->direct_px + m->direct_tap * taps;
  if (taps <= direct_taps_at[0])
    return m->direct_taps_ns[0];

  for (gsize i = 1; i < G_N_ELEMENTS (direct_taps_at); i++)
    if (taps <= direct_taps_at[i])
      {
        double f = (double) (taps - direct_taps_at[i - 1]) /
                   (direct_taps_at[i] - direct_taps_at[i - 1]);

        return (1 - f) * m->direct_taps_ns[i - 1] + f * m->direct_taps_ns[i];
      }

  g_assert_not_reached ();
}

/* How the direct engine's work splits: outputs in interior and border
 * columns, and the threads it keeps busy. */
static void
direct_split (int                    in_w,
              int                    channels,
              const CvlConvGeometry *g,
              const CvlConvOptions  *o,
              int                    n_threads,
              double                *interior,
              double                *border,
              int                   *busy)
{
  int n_tasks = channels * ((g->out_h + DIRECT_MIN_ROWS_PER_TASK - 1) /
                            DIRECT_MIN_ROWS_PER_TASK);
  int cols = interior_columns (in_w, g, o->stride_w);

  *interior = (double) channels * g->out_h * cols;
  *border = (double) channels * g->out_h * (g->out_w - cols);
  *busy = MIN (n_threads, n_tasks);
}

/* `k3x3`: the kernel is 3×3 and the 3×3 path takes it. */
static double
direct_ns (const CostModel       *m,
           int                    in_w,
           int                    channels,
           int                    taps,
           gboolean               k3x3,
           const CvlConvGeometry *g,
           const CvlConvOptions  *o,
           int                    n_threads)
{
  double interior, border;
  int busy;

  direct_split (in_w, channels, g, o, n_threads, &interior, &border, &busy);

  return (interior * (k3x3 ? m->direct_3x3_px : direct_interior_ns (m, taps)) +
          border * (m->direct_px + m->direct_border_tap * taps)) / busy;
}

/* Rows read by the unblocked vertical pass cost more: every output vector
 * loads each of them (the blocked pass loads each once per four rows). */
#define UNBLOCKED_V_FACTOR 2.0

static double
separable_ns (const CostModel       *m,
              int                    in_w,
              int                    channels,
              int                    k_h,
              int                    k_w,
              const CvlConvGeometry *g,
              const CvlConvOptions  *o,
              int                    n_threads)
{
  int interior = interior_columns (in_w, g, o->stride_w);
  int border = g->out_w - interior;
  CvlSeparableLayout layout;
  double rows, horizontal, vertical, v_rows;

  cvl_conv_separable_layout (g, k_h, o, channels, n_threads, &layout);

  /* Rows through the horizontal pass: each band starts k_eff − stride rows early. */
  rows = (double) g->out_h * MIN (o->stride_h, g->k_eff_h) +
         (double) layout.n_bands * MAX (g->k_eff_h - o->stride_h, 0);
  horizontal = rows * (interior * (0.5 * m->separable_px + m->separable_h_tap * k_w) +
                       border * m->direct_border_tap * k_w);
  v_rows = layout.blocked ? k_h + 3 : UNBLOCKED_V_FACTOR * k_h;
  vertical = (double) g->out_h * g->out_w * (0.5 * m->separable_px +
                                             m->separable_v_tap * v_rows);

  return channels * (horizontal + vertical) /
         MIN (n_threads, channels * layout.n_stripes * layout.n_bands);
}

static void
choose_tiling (const CostModel       *m,
               int                    channels,
               int                    k_h,
               int                    k_w,
               const CvlConvGeometry *g,
               const CvlConvOptions  *o,
               int                    n_threads,
               CvlFftTiling          *best)
{
  /* Phase 0 is the longest of the dilation phases along each axis. */
  int dense_h = (g->out_h - 1) * o->stride_h + 1;
  int dense_w = (g->out_w - 1) * o->stride_w + 1;
  int q_h = (dense_h + o->dilation_h - 1) / o->dilation_h;
  int q_w = (dense_w + o->dilation_w - 1) / o->dilation_w;

  best->cost_ns = INFINITY;
  best->tile_h = best->tile_w = cvl_fft_sizes[CVL_FFT_N_SIZES - 1];
  best->n_tiles = 0;

  for (int i = 0; i < CVL_FFT_N_SIZES; i++)
    {
      int n_h = cvl_fft_sizes[i];
      double per_px_h = m->fft_tile[i] / ((double) n_h * n_h);
      int tiles_h;

      if (n_h < k_h)
        continue;
      tiles_h = (q_h + n_h - k_h) / (n_h - k_h + 1);

      for (int j = 0; j < CVL_FFT_N_SIZES; j++)
        {
          int n_w = cvl_fft_sizes[j];
          double per_px_w = m->fft_tile[j] / ((double) n_w * n_w);
          double tile_ns, ns;
          gint64 tiles;

          if (n_w < k_w)
            continue;
          tiles = (gint64) channels * o->dilation_h * o->dilation_w * tiles_h *
                  ((q_w + n_w - k_w) / (n_w - k_w + 1));
          if (tiles > G_MAXINT / 4)
            continue;
          tile_ns = (double) n_h * n_w * 0.5 * (per_px_h + per_px_w);

          if (tiles >= n_threads)
            ns = (double) ((tiles + n_threads - 1) / n_threads) * tile_ns;
          else
            ns = tiles * tile_ns / (1 + FFTW_THREAD_GAIN * (n_threads - 1));
          ns = ns * m->fft_scale + tile_ns; /* and the kernel's own transform */

          if (ns < best->cost_ns)
            {
              best->cost_ns = ns;
              best->tile_h = n_h;
              best->tile_w = n_w;
              best->n_tiles = (int) MIN (tiles, G_MAXINT);
            }
        }
    }
}

void
cvl_conv_fft_choose_tiling (int                   in_h,
                            int                   in_w,
                            int                   channels,
                            int                   k_h,
                            int                   k_w,
                            const CvlConvOptions *options,
                            int                   n_threads,
                            CvlFftTiling         *tiling)
{
  CostModel m;
  CvlConvGeometry g;

  get_model (&m);
  cvl_conv_geometry (in_h, in_w, k_h, k_w, options, &g);
  choose_tiling (&m, channels, k_h, k_w, &g, options, MAX (n_threads, 1), tiling);
}

static double
estimate_ns (const CostModel      *m,
             CvlEngine             engine,
             int                   in_h,
             int                   in_w,
             int                   channels,
             const CvlKernel      *kernel,
             const CvlConvOptions *options,
             int                   n_threads)
{
  CvlConvGeometry g;
  CvlFftTiling tiling;

  cvl_conv_geometry (in_h, in_w, kernel->height, kernel->width, options, &g);
  if (g.out_h == 0 || g.out_w == 0)
    return 0;

  switch (engine)
    {
    case CVL_ENGINE_DIRECT:
      return direct_ns (m, in_w, channels, count_taps (kernel),
                        cvl_conv_direct_uses_3x3 (kernel, options, in_w, g.out_w), &g, options,
                        n_threads);

    case CVL_ENGINE_SEPARABLE:
      return separable_ns (m, in_w, channels, kernel->height, kernel->width, &g, options,
                           n_threads);

    case CVL_ENGINE_FFT:
      choose_tiling (m, channels, kernel->height, kernel->width, &g, options, n_threads,
                     &tiling);
      return tiling.cost_ns;

    case CVL_ENGINE_NAIVE:
      /* Not a candidate: plain loops, one thread, ~1 ns per tap. */
      return (double) channels * g.out_h * g.out_w * kernel->width * kernel->height;

    case CVL_ENGINE_AUTO:
    default:
      g_return_val_if_reached (INFINITY);
    }
}

double
cvl_conv_estimate_ns (CvlEngine             engine,
                      int                   in_h,
                      int                   in_w,
                      int                   channels,
                      const CvlKernel      *kernel,
                      const CvlConvOptions *options)
{
  CostModel m;

  g_return_val_if_fail (kernel != NULL && options != NULL, INFINITY);
  g_return_val_if_fail (in_h >= 1 && in_w >= 1 && channels >= 1, INFINITY);

  get_model (&m);
  return estimate_ns (&m, engine, in_h, in_w, channels, kernel, options,
                      cvl_conv_get_threads ());
}

CvlEngine
cvl_conv_resolve_engine (CvlEngine             engine,
                         int                   in_h,
                         int                   in_w,
                         int                   channels,
                         const CvlKernel      *kernel,
                         const CvlConvOptions *options)
{
  static const CvlEngine candidates[] = {
    CVL_ENGINE_DIRECT, CVL_ENGINE_SEPARABLE, CVL_ENGINE_FFT,
  };
  CostModel m;
  CvlEngine best = CVL_ENGINE_DIRECT;
  double best_ns = INFINITY;
  gboolean separable;
  int n_threads = cvl_conv_get_threads ();

  g_return_val_if_fail (kernel != NULL && kernel->values != NULL, CVL_ENGINE_DIRECT);
  g_return_val_if_fail (options != NULL, CVL_ENGINE_DIRECT);

  if (engine != CVL_ENGINE_AUTO && engine != CVL_ENGINE_SEPARABLE)
    return engine;

  separable = kernel->width >= 1 && kernel->height >= 1 &&
              cvl_conv_kernel_factor (kernel, NULL, NULL);
  if (engine == CVL_ENGINE_SEPARABLE)
    return separable ? CVL_ENGINE_SEPARABLE : CVL_ENGINE_DIRECT;

  /* Sizes the engines would refuse: any concrete answer will do. */
  if (in_h < 1 || in_w < 1 || channels < 1 || kernel->width < 1 || kernel->height < 1 ||
      kernel->width > CVL_KERNEL_MAX_SIZE || kernel->height > CVL_KERNEL_MAX_SIZE ||
      !cvl_conv_options_validate (options, NULL))
    return CVL_ENGINE_DIRECT;

  get_model (&m);
  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      double ns;

      if (candidates[i] == CVL_ENGINE_SEPARABLE && !separable)
        continue;
      ns = estimate_ns (&m, candidates[i], in_h, in_w, channels, kernel, options, n_threads);
      if (ns < best_ns)
        {
          best_ns = ns;
          best = candidates[i];
        }
    }

  return best;
}

/* ---- calibration ---- */

/* xorshift32, as the benchmarks use */
static float
next_random (guint32 *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return (*state >> 8) * (1.0f / 16777216.0f);
}

static CvlKernel *
random_kernel (int       width,
               int       height,
               gboolean  rank1,
               guint32  *seed)
{
  CvlKernel *k = cvl_kernel_new (width, height, NULL);
  g_autofree float *col = g_new (float, height);
  g_autofree float *row = g_new (float, width);

  for (int y = 0; y < height; y++)
    col[y] = 0.1f + next_random (seed);
  for (int x = 0; x < width; x++)
    row[x] = 0.1f + next_random (seed);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      k->values[y * width + x] = rank1 ? col[y] * row[x] : 0.1f + next_random (seed);

  return k;
}

/* The fastest of a few runs after a warm-up, in ns (other processes only
 * ever make a run slower); -1 when cancelled. */
static double
time_engine (CvlEngine             engine,
             const CvlImage       *in,
             const CvlKernel      *kernel,
             const CvlConvOptions *options,
             CvlImage            **out,
             GCancellable         *cancellable)
{
  double best = G_MAXDOUBLE;

  for (int r = -1; r < 2; r++)
    {
      gint64 start = g_get_monotonic_time ();

      if (!cvl_conv2d (engine, in, kernel, options, out, cancellable, NULL))
        return -1;
      if (r >= 0)
        best = MIN (best, (g_get_monotonic_time () - start) * 1000.0);
    }

  return best;
}

/* Solves a 3×3 system by Cramer's rule; FALSE when singular. */
static gboolean
solve3 (const double a[3][3],
        const double b[3],
        double       x[3])
{
  double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
               a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
               a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);

  if (fabs (det) < 1e-300)
    return FALSE;

  for (int c = 0; c < 3; c++)
    {
      double m[3][3];

      for (int r = 0; r < 3; r++)
        for (int j = 0; j < 3; j++)
          m[r][j] = j == c ? b[r] : a[r][j];
      x[c] = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
              m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
              m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])) / det;
    }

  return TRUE;
}

/* What calibration times: eight direct runs (the 3×3 path; 1, 2, 4, 6, 8 and
 * 13 a side through the general path on a wide image; a narrow image that is
 * mostly border columns), three separable ones (5×5, 31 wide, 31 tall: the fixed cost and
 * each pass's cost per tap) and one whole FFT run (threads and memory against
 * the sum of its tiles). The direct and FFT runs use 13×13, where random
 * kernels cross over from one engine to the other, so the model is exact
 * where a wrong choice would cost the most. */
enum { M_DIRECT_3X3, M_DIRECT_1, M_DIRECT_2, M_DIRECT_4, M_DIRECT_6, M_DIRECT_8, M_DIRECT_13,
       M_DIRECT_NARROW, M_SEP_5, M_SEP_WIDE, M_SEP_TALL, M_FFT, N_MEASURES };

typedef struct
{
  CvlEngine  engine;
  CvlImage  *in;      /* borrowed */
  CvlKernel *kernel;
  double     ns;      /* the median over the rounds of each round's fastest run */
} Measure;

/* Rounds through all measurements: a burst of load from elsewhere has to
 * last the whole calibration to skew it. The median round, not the fastest:
 * under steady load from elsewhere the fastest run of an engine is luckier
 * for some engines than for others (a 4×4 direct run looked 1.3× cheaper
 * than the separable engine's while its median was 1.3× dearer). */
#define CALIBRATION_ROUNDS 3

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static gboolean
measure_rounds (Measure      *measures,
                int           first,
                int           last,
                GCancellable *cancellable)
{
  g_autoptr(CvlImage) out = NULL;
  double ns[N_MEASURES][CALIBRATION_ROUNDS];
  CvlConvOptions options;

  cvl_conv_options_init (&options);
  options.border = CVL_BORDER_REFLECT;

  for (int round = 0; round < CALIBRATION_ROUNDS; round++)
    for (int i = first; i <= last; i++)
      {
        ns[i][round] = time_engine (measures[i].engine, measures[i].in, measures[i].kernel,
                                    &options, &out, cancellable);
        if (ns[i][round] < 0)
          return FALSE;
      }

  for (int i = first; i <= last; i++)
    {
      qsort (ns[i], CALIBRATION_ROUNDS, sizeof (double), compare_double);
      measures[i].ns = ns[i][CALIBRATION_ROUNDS / 2];
    }

  return TRUE;
}

static void
fit_direct (CostModel     *m,
            const Measure *measures)
{
  CvlConvOptions options;
  int n_threads = cvl_conv_get_threads ();

  cvl_conv_options_init (&options);
  options.border = CVL_BORDER_REFLECT;

  /* The interior figures need the border's, and the border's (from the
   * narrow image) the interior's: two rounds settle them. */
  for (int round = 0; round < 2; round++)
    {
      double t[G_N_ELEMENTS (direct_taps_at) + 1];

      for (int i = M_DIRECT_1; i <= M_DIRECT_13; i++)
        {
          const Measure *me = &measures[i];
          int taps = count_taps (me->kernel);
          double interior, border;
          CvlConvGeometry g;
          int busy;

          cvl_conv_geometry (me->in->height, me->in->width, me->kernel->height,
                             me->kernel->width, &options, &g);
          direct_split (me->in->width, me->in->channels, &g, &options, n_threads, &interior,
                        &border, &busy);
          t[i - M_DIRECT_1] = CLAMP ((me->ns * busy - border * (m->direct_px +
                                                                m->direct_border_tap * taps)) /
                                     interior, 0.001, 100);
        }
      for (gsize i = 0; i < G_N_ELEMENTS (direct_taps_at); i++)
        m->direct_taps_ns[i] = t[i];
      m->direct_tap = MAX ((t[M_DIRECT_13 - M_DIRECT_1] - t[M_DIRECT_8 - M_DIRECT_1]) /
                           (169 - DIRECT_LINE_FROM), 0.001);
      m->direct_px = MAX (t[M_DIRECT_8 - M_DIRECT_1] - m->direct_tap * DIRECT_LINE_FROM, 0.001);

      {
        const Measure *me = &measures[M_DIRECT_NARROW];
        int taps = count_taps (me->kernel);
        double interior, border;
        CvlConvGeometry g;
        int busy;

        cvl_conv_geometry (me->in->height, me->in->width, me->kernel->height,
                           me->kernel->width, &options, &g);
        direct_split (me->in->width, me->in->channels, &g, &options, n_threads, &interior,
                      &border, &busy);
        m->direct_border_tap = CLAMP ((me->ns * busy - interior * direct_interior_ns (m, taps) -
                                       border * m->direct_px) / (border * taps),
                                      m->direct_tap, 1000);
      }
    }

  /* The 3×3 path: what is left once its border columns are paid for. */
  {
    const Measure *me = &measures[M_DIRECT_3X3];
    CostModel unit = *m;
    CvlConvGeometry g;
    double border, per_px;

    cvl_conv_geometry (me->in->height, me->in->width, 3, 3, &options, &g);
    unit.direct_3x3_px = 0;
    border = direct_ns (&unit, me->in->width, me->in->channels, 9, TRUE, &g, &options, n_threads);
    unit.direct_3x3_px = 1;
    per_px = direct_ns (&unit, me->in->width, me->in->channels, 9, TRUE, &g, &options,
                        n_threads) - border;
    m->direct_3x3_px = CLAMP ((me->ns - border) / per_px, 0.001, 100);
  }
}

static void
fit_separable (CostModel     *m,
               const Measure *measures)
{
  CvlConvOptions options;
  int n_threads = cvl_conv_get_threads ();
  double a[3][3], b[3], x[3];

  cvl_conv_options_init (&options);
  options.border = CVL_BORDER_REFLECT;

  for (int s = 0; s < 3; s++)
    {
      const Measure *me = &measures[M_SEP_5 + s];
      int kw = me->kernel->width, kh = me->kernel->height;
      CostModel unit = *m;
      CvlConvGeometry g;

      cvl_conv_geometry (me->in->height, me->in->width, kh, kw, &options, &g);

      /* The border columns' share is known from the direct figures. */
      unit.separable_px = unit.separable_h_tap = unit.separable_v_tap = 0;
      b[s] = me->ns - separable_ns (&unit, me->in->width, me->in->channels, kh, kw, &g,
                                    &options, n_threads);
      unit.direct_border_tap = 0;
      for (int p = 0; p < 3; p++)
        {
          unit.separable_px = p == 0;
          unit.separable_h_tap = p == 1;
          unit.separable_v_tap = p == 2;
          a[s][p] = separable_ns (&unit, me->in->width, me->in->channels, kh, kw, &g,
                                  &options, n_threads);
        }
    }

  if (solve3 (a, b, x))
    {
      m->separable_px = CLAMP (x[0], 0.01, 100);
      m->separable_h_tap = CLAMP (x[1], 0.001, 100);
      m->separable_v_tap = CLAMP (x[2], 0.001, 100);
    }
}

static gboolean
calibrate_fft_tiles (CostModel    *m,
                     GCancellable *cancellable)
{
  int last = 0;

  for (int i = 0; i < CVL_FFT_N_SIZES && cvl_fft_sizes[i] <= 1024; i++)
    {
      if (!cvl_conv_fft_time_tile (i, &m->fft_tile[i], cancellable))
        return FALSE;
      last = i;
    }

  /* Larger tiles (only huge kernels need them) scale as n² log n. */
  for (int i = last + 1; i < CVL_FFT_N_SIZES; i++)
    {
      double n = cvl_fft_sizes[i], n0 = cvl_fft_sizes[last];

      m->fft_tile[i] = m->fft_tile[last] * (n * n * log2 (n)) / (n0 * n0 * log2 (n0));
    }

  return TRUE;
}

static gboolean
calibrate (CostModel    *m,
           GCancellable *cancellable)
{
  g_autoptr(CvlImage) wide = cvl_image_new (CALIBRATION_W, CALIBRATION_H, 3, NULL);
  g_autoptr(CvlImage) narrow = cvl_image_new (32, 1024, 1, NULL);
  guint32 seed = 20240229;
  Measure measures[N_MEASURES] = {
    [M_DIRECT_3X3] = { CVL_ENGINE_DIRECT, wide, random_kernel (3, 3, FALSE, &seed) },
    [M_DIRECT_1] = { CVL_ENGINE_DIRECT, wide, random_kernel (1, 1, FALSE, &seed) },
    [M_DIRECT_2] = { CVL_ENGINE_DIRECT, wide, random_kernel (2, 2, FALSE, &seed) },
    [M_DIRECT_4] = { CVL_ENGINE_DIRECT, wide, random_kernel (4, 4, FALSE, &seed) },
    [M_DIRECT_6] = { CVL_ENGINE_DIRECT, wide, random_kernel (6, 6, FALSE, &seed) },
    [M_DIRECT_8] = { CVL_ENGINE_DIRECT, wide, random_kernel (8, 8, FALSE, &seed) },
    [M_DIRECT_13] = { CVL_ENGINE_DIRECT, wide, random_kernel (13, 13, FALSE, &seed) },
    [M_DIRECT_NARROW] = { CVL_ENGINE_DIRECT, narrow, random_kernel (15, 15, FALSE, &seed) },
    [M_SEP_5] = { CVL_ENGINE_SEPARABLE, wide, random_kernel (5, 5, TRUE, &seed) },
    [M_SEP_WIDE] = { CVL_ENGINE_SEPARABLE, wide, random_kernel (31, 5, TRUE, &seed) },
    [M_SEP_TALL] = { CVL_ENGINE_SEPARABLE, wide, random_kernel (5, 31, TRUE, &seed) },
    [M_FFT] = { CVL_ENGINE_FFT, wide, random_kernel (13, 13, FALSE, &seed) },
  };
  CvlConvOptions options;
  CostModel unit;
  gboolean ok;

  for (gsize i = 0; i < (gsize) wide->width * wide->height * wide->channels; i++)
    wide->data[i] = next_random (&seed);
  for (gsize i = 0; i < (gsize) narrow->width * narrow->height; i++)
    narrow->data[i] = next_random (&seed);
  for (int i = 0; i < N_MEASURES; i++)
    measures[i].ns = G_MAXDOUBLE;

  ok = calibrate_fft_tiles (m, cancellable);

  /* The whole FFT run picks its tiles from the model: from the tiles just
   * measured. Until the end AUTO may see this half-made model, harmlessly. */
  if (ok)
    {
      g_mutex_lock (&model_lock);
      model = *m;
      model.fft_scale = 1;
      model_ready = model_tried = TRUE;
      g_mutex_unlock (&model_lock);
    }

  ok = ok && measure_rounds (measures, 0, N_MEASURES - 1, cancellable);

  if (ok)
    {
      fit_direct (m, measures);
      fit_separable (m, measures);

      cvl_conv_options_init (&options);
      options.border = CVL_BORDER_REFLECT;
      unit = *m;
      unit.fft_scale = 1;
      m->fft_scale = CLAMP (measures[M_FFT].ns /
                              estimate_ns (&unit, CVL_ENGINE_FFT, wide->height, wide->width,
                                           wide->channels,
                                           measures[M_FFT].kernel, &options,
                                           cvl_conv_get_threads ()),
                            0.5, 16.0);
    }

  for (int i = 0; i < N_MEASURES; i++)
    cvl_kernel_free (measures[i].kernel);

  return ok;
}

gboolean
cvl_conv_calibrate (GCancellable  *cancellable,
                    GError       **error)
{
  static GMutex calibrate_lock; /* one calibration at a time */
  CostModel m = builtin_model;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&calibrate_lock);

  if (cvl_conv_is_calibrated ())
    {
      g_mutex_unlock (&calibrate_lock);
      return TRUE;
    }

  if (calibrate (&m, cancellable))
    {
      g_mutex_lock (&model_lock);
      model = m;
      model_ready = model_tried = TRUE;
      g_mutex_unlock (&model_lock);

      /* A cache that cannot be written costs a recalibration next time. */
      if (!model_save (&m, &local_error) || !cvl_conv_fft_save_wisdom (&local_error))
        g_debug ("Convolve: the cost model was not cached: %s", local_error->message);

      g_mutex_unlock (&calibrate_lock);
      return TRUE;
    }

  /* Cancelled: back to whatever was there before. */
  g_mutex_lock (&model_lock);
  model_ready = FALSE;
  g_mutex_unlock (&model_lock);
  g_mutex_unlock (&calibrate_lock);

  g_set_error (error, CVL_ERROR, CVL_ERROR_CANCELLED, "The calibration was cancelled");
  return FALSE;
}
