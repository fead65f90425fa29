/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The FFT engine: overlap-save over tiles with FFTW3f real-to-complex plans,
 * cached by size, so memory stays bounded and a cancel lands between tiles.
 * Dilation runs as dilation_h·dilation_w polyphase convolutions with the
 * undilated kernel, so the FFT size never grows with the dilation. */
#include "config.h"

#include <string.h>

#include <fftw3.h>

#include "cvl-conv-private.h"
#include "cvl-error.h"
#include "cvl-fftw.h"
#include "cvl-parallel.h"

#define WISDOM_MAX_BYTES (4 << 20)
#define MAX_SPARE_SCRATCH 8

const int cvl_fft_sizes[CVL_FFT_N_SIZES] = {
  16, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024,
  1536, 2048,
};

typedef struct
{
  gint64     key;       /* plan_key (), the hash table's key */
  int        n_h, n_w;
  int        n_threads;
  fftwf_plan forward;   /* [n_h, n_w] real → [n_h, n_w/2+1] complex, out of place */
  fftwf_plan inverse;   /* and back; destroys its input */
} TilePlan;

/* A kernel's spectrum for one tile size, kept for the next call with the
 * same kernel (a preview re-rendered, a benchmark loop). */
typedef struct
{
  gatomicrefcount  ref;
  int              n_h, n_w, k_h, k_w;
  gboolean         flip;
  float            divisor;
  float           *values;    /* [k_h, k_w] copy of the weights, the cache key */
  fftwf_complex   *data;      /* [n_h, n_w/2+1] conj-ready, scaled by 1/(divisor·n_h·n_w) */
} Spectrum;

/* One worker's buffers, reused across tiles and calls. */
typedef struct
{
  int            n_h, n_w;
  float         *real;      /* [n_h, n_w] */
  fftwf_complex *freq;      /* [n_h, n_w/2+1] */
  int           *col_index; /* [n_w] image column per tile column, or -1 */
  int           *col_src;   /* [n_w] tile column of each output column */
  int           *col_dst;   /* [n_w] its output column */
} Scratch;

static GMutex plans_lock;
static GHashTable *plans;      /* plan_key () → TilePlan */
static GMutex scratch_lock;
static GPtrArray *spare_scratch;
static GMutex spectrum_lock;
static Spectrum *last_spectrum;
static gint override_h, override_w;  /* atomic; tests only */

/* ---- FFTW set-up: threads, thread-safe planner, wisdom from the cache ---- */

static char *
wisdom_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "convolve", "fftw-wisdom", NULL);
}

/* Loads the wisdom once; missing, unreadable or corrupt files are ignored
 * (FFTW then plans from scratch, which is only slower). */
static void
fftw_setup (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_autofree char *path = wisdom_path ();
      g_autofree char *text = NULL;
      gsize length = 0;

      cvl_fftw_lock ();
      fftwf_init_threads ();
      fftwf_make_planner_thread_safe ();
      if (g_file_get_contents (path, &text, &length, NULL) &&
          length > 0 && length < WISDOM_MAX_BYTES && strlen (text) == length)
        fftwf_import_wisdom_from_string (text);
      cvl_fftw_unlock ();

      g_once_init_leave (&done, 1);
    }
}

gboolean
cvl_conv_fft_save_wisdom (GError **error)
{
  g_autofree char *path = wisdom_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  char *text;
  gboolean ok;

  fftw_setup ();

  cvl_fftw_lock ();
  text = fftwf_export_wisdom_to_string ();
  cvl_fftw_unlock ();

  if (text == NULL)
    return TRUE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_IO, "Cannot create the cache folder %s", dir);
      free (text);
      return FALSE;
    }

  ok = g_file_set_contents (path, text, -1, error);
  free (text); /* FFTW's string comes from malloc() */

  return ok;
}

/* ---- plans, cached forever: a handful of sizes per process ---- */

static gint64
plan_key (int n_h,
          int n_w,
          int n_threads)
{
  return ((gint64) n_h << 40) | ((gint64) n_w << 16) | MIN (n_threads, 0xffff);
}

static const TilePlan *
get_plan (int n_h,
          int n_w,
          int n_threads)
{
  gint64 key = plan_key (n_h, n_w, n_threads);
  TilePlan *plan;

  fftw_setup ();

  g_mutex_lock (&plans_lock);
  if (plans == NULL)
    plans = g_hash_table_new (g_int64_hash, g_int64_equal);

  plan = g_hash_table_lookup (plans, &key);
  if (plan == NULL)
    {
      float *real = fftwf_alloc_real ((gsize) n_h * n_w);
      fftwf_complex *freq = fftwf_alloc_complex ((gsize) n_h * (n_w / 2 + 1));

      plan = g_new0 (TilePlan, 1);
      plan->key = key;
      plan->n_h = n_h;
      plan->n_w = n_w;
      plan->n_threads = n_threads;

      /* Measured wisdom (from calibration) when there is some, else FFTW's
       * estimate, which for these out-of-place sizes is within a few percent
       * of a measured plan and costs a millisecond instead of a second. */
      cvl_fftw_lock ();
      fftwf_plan_with_nthreads (n_threads);
      plan->forward = fftwf_plan_dft_r2c_2d (n_h, n_w, real, freq,
                                             FFTW_MEASURE | FFTW_WISDOM_ONLY);
      if (plan->forward == NULL)
        plan->forward = fftwf_plan_dft_r2c_2d (n_h, n_w, real, freq, FFTW_ESTIMATE);
      plan->inverse = fftwf_plan_dft_c2r_2d (n_h, n_w, freq, real,
                                             FFTW_MEASURE | FFTW_WISDOM_ONLY);
      if (plan->inverse == NULL)
        plan->inverse = fftwf_plan_dft_c2r_2d (n_h, n_w, freq, real, FFTW_ESTIMATE);
      fftwf_plan_with_nthreads (1);
      cvl_fftw_unlock ();

      g_assert (plan->forward != NULL && plan->inverse != NULL);
      fftwf_free (real);
      fftwf_free (freq);
      g_hash_table_insert (plans, &plan->key, plan);
    }
  g_mutex_unlock (&plans_lock);

  return plan;
}

/* ---- scratch buffers ---- */

static void
scratch_free (Scratch *s)
{
  fftwf_free (s->real);
  fftwf_free (s->freq);
  g_free (s->col_index);
  g_free (s->col_src);
  g_free (s->col_dst);
  g_free (s);
}

static Scratch *
scratch_take (int n_h,
              int n_w)
{
  Scratch *s = NULL;

  g_mutex_lock (&scratch_lock);
  for (guint i = 0; spare_scratch != NULL && i < spare_scratch->len; i++)
    {
      Scratch *candidate = g_ptr_array_index (spare_scratch, i);

      if (candidate->n_h == n_h && candidate->n_w == n_w)
        {
          s = g_ptr_array_steal_index (spare_scratch, i);
          break;
        }
    }
  g_mutex_unlock (&scratch_lock);

  if (s == NULL)
    {
      s = g_new0 (Scratch, 1);
      s->n_h = n_h;
      s->n_w = n_w;
      s->real = fftwf_alloc_real ((gsize) n_h * n_w);
      s->freq = fftwf_alloc_complex ((gsize) n_h * (n_w / 2 + 1));
      s->col_index = g_new (int, n_w);
      s->col_src = g_new (int, n_w);
      s->col_dst = g_new (int, n_w);
      if (s->real == NULL || s->freq == NULL)
        g_error ("Out of memory for FFT tiles of %d×%d", n_h, n_w);
    }

  return s;
}

static void
scratch_give (Scratch *s)
{
  g_mutex_lock (&scratch_lock);
  if (spare_scratch == NULL)
    spare_scratch = g_ptr_array_new ();
  g_ptr_array_add (spare_scratch, s);
  /* Oldest first out: the sizes in use now stay. */
  while (spare_scratch->len > MAX_SPARE_SCRATCH)
    scratch_free (g_ptr_array_steal_index (spare_scratch, 0));
  g_mutex_unlock (&scratch_lock);
}

/* ---- the kernel's spectrum ---- */

static void
spectrum_unref (Spectrum *s)
{
  if (s == NULL || !g_atomic_ref_count_dec (&s->ref))
    return;

  g_free (s->values);
  fftwf_free (s->data);
  g_free (s);
}

static gboolean
spectrum_matches (const Spectrum  *s,
                  const CvlKernel *k,
                  gboolean         flip,
                  int              n_h,
                  int              n_w)
{
  return s != NULL && s->n_h == n_h && s->n_w == n_w && s->k_h == k->height &&
         s->k_w == k->width && s->flip == flip && s->divisor == k->divisor &&
         memcmp (s->values, k->values, sizeof (float) * k->width * k->height) == 0;
}

static Spectrum *
get_spectrum (const CvlKernel *k,
              gboolean         flip,
              const TilePlan  *plan)
{
  int n_h = plan->n_h, n_w = plan->n_w;
  gsize n_k = (gsize) k->width * k->height;
  Spectrum *s;
  float *real;
  float scale = 1.0f / (k->divisor * (float) n_h * (float) n_w);

  g_mutex_lock (&spectrum_lock);
  if (spectrum_matches (last_spectrum, k, flip, n_h, n_w))
    {
      s = last_spectrum;
      g_atomic_ref_count_inc (&s->ref);
      g_mutex_unlock (&spectrum_lock);
      return s;
    }
  g_mutex_unlock (&spectrum_lock);

  s = g_new0 (Spectrum, 1);
  g_atomic_ref_count_init (&s->ref);
  s->n_h = n_h;
  s->n_w = n_w;
  s->k_h = k->height;
  s->k_w = k->width;
  s->flip = flip;
  s->divisor = k->divisor;
  s->values = g_memdup2 (k->values, n_k * sizeof (float));
  s->data = fftwf_alloc_complex ((gsize) n_h * (n_w / 2 + 1));
  real = fftwf_alloc_real ((gsize) n_h * n_w);
  if (s->data == NULL || real == NULL)
    g_error ("Out of memory for a kernel spectrum of %d×%d", n_h, n_w);

  /* The weights at the origin: the product X·conj(W) is then the circular
   * cross-correlation, exact for the first n − k + 1 outputs of each axis. */
  memset (real, 0, sizeof (float) * n_h * n_w);
  for (int y = 0; y < k->height; y++)
    for (int x = 0; x < k->width; x++)
      real[(gsize) y * n_w + x] = scale * (flip
                                           ? cvl_kernel_get (k, k->height - 1 - y,
                                                             k->width - 1 - x)
                                           : cvl_kernel_get (k, y, x));
  fftwf_execute_dft_r2c (plan->forward, real, s->data);
  fftwf_free (real);

  g_mutex_lock (&spectrum_lock);
  spectrum_unref (last_spectrum);
  g_atomic_ref_count_inc (&s->ref);
  last_spectrum = s;
  g_mutex_unlock (&spectrum_lock);

  return s;
}

/* ---- one run: geometry of the tiles along each axis ---- */

typedef struct
{
  int        n;        /* FFT size */
  int        valid;    /* outputs per tile: n − k + 1 */
  int        k;        /* undilated kernel side */
  int        dilation; /* = number of phases */
  int        stride;
  int        dense;    /* dense (stride 1) outputs needed: (out − 1)·stride + 1 */
  int        tiles;    /* tiles per phase, from the longest phase */
  const int *map;      /* virtual coordinate → image coordinate or -1 */
  int        map_len;
} Axis;

typedef struct
{
  const CvlConvJob *job;
  const TilePlan   *plan;
  const Spectrum   *spectrum;
  Axis              y, x;
  int               n_tasks;
  gint              next_task;  /* atomic */
  gint              cancelled;  /* atomic */
} Run;

/* Outputs of phase r on a dense axis of `dense` positions. */
static inline int
phase_length (const Axis *a,
              int         r)
{
  return r < a->dense ? (a->dense - r + a->dilation - 1) / a->dilation : 0;
}

static void
axis_init (Axis       *a,
           int         n,
           int         k,
           int         dilation,
           int         stride,
           int         out,
           const int  *map,
           int         map_len)
{
  a->n = n;
  a->k = k;
  a->valid = n - k + 1;
  a->dilation = dilation;
  a->stride = stride;
  a->dense = (out - 1) * stride + 1;
  a->tiles = (phase_length (a, 0) + a->valid - 1) / a->valid;
  a->map = map;
  a->map_len = map_len;
}

/* The two loops outside FFTW that touch every tile value, vectorised for the
 * widest instruction set the CPU has (picked once by the loader). Not under
 * ThreadSanitizer: GCC instruments the ifunc resolver, which the loader runs
 * before TSan is initialised, and the program dies at start. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define CVL_FFT_CLONES __attribute__ ((target_clones ("avx2", "default")))
#else
#define CVL_FFT_CLONES
#endif

/* X ← X·conj(W), n complex values. */
CVL_FFT_CLONES static void
multiply_conj (fftwf_complex       *restrict x,
               const fftwf_complex *restrict w,
               gsize                n)
{
  float *restrict xf = (float *) x;
  const float *restrict wf = (const float *) w;

  for (gsize i = 0; i < n; i++)
    {
      float xr = xf[2 * i], xi = xf[2 * i + 1];
      float wr = wf[2 * i], wi = wf[2 * i + 1];

      xf[2 * i] = xr * wr + xi * wi;
      xf[2 * i + 1] = xi * wr - xr * wi;
    }
}

CVL_FFT_CLONES static void
add_offset (float       *restrict dst,
            const float *restrict src,
            int                   n,
            float                 offset)
{
  for (int i = 0; i < n; i++)
    dst[i] = src[i] + offset;
}

static void
run_tile (Run     *run,
          Scratch *s,
          int      task)
{
  const CvlConvJob *job = run->job;
  const Axis *ay = &run->y, *ax = &run->x;
  int phases = ay->dilation * ax->dilation;
  int rx = task % ax->dilation;
  int ry = task / ax->dilation % ay->dilation;
  int tx = task / phases % ax->tiles;
  int ty = task / phases / ax->tiles % ay->tiles;
  int channel = task / phases / ax->tiles / ay->tiles;
  int q_y0 = ty * ay->valid, q_x0 = tx * ax->valid;
  int rows = MIN (ay->valid, phase_length (ay, ry) - q_y0);
  int cols = MIN (ax->valid, phase_length (ax, rx) - q_x0);
  const float *plane = cvl_image_plane (job->in, channel);
  float *out = cvl_image_plane (job->out, channel);
  int in_w = job->in->width, out_w = job->geometry.out_w;
  float offset = job->kernel->offset;
  gboolean contiguous = TRUE;
  int n_cols = 0;

  if (rows <= 0 || cols <= 0)
    return;

  /* Gather: tile row a, column b hold virtual input ((q0 + a)·d + r). */
  for (int b = 0; b < ax->n; b++)
    {
      int v = (q_x0 + b) * ax->dilation + rx;

      s->col_index[b] = v < ax->map_len ? ax->map[v] : -1;
      contiguous = contiguous && s->col_index[b] >= 0 &&
                   s->col_index[b] == s->col_index[0] + b;
    }

  for (int a = 0; a < ay->n; a++)
    {
      int v = (q_y0 + a) * ay->dilation + ry;
      int y = v < ay->map_len ? ay->map[v] : -1;
      float *dst = s->real + (gsize) a * ax->n;
      const float *src;

      if (y < 0)
        {
          memset (dst, 0, sizeof (float) * ax->n);
          continue;
        }

      src = plane + (gsize) y * in_w;
      if (contiguous)
        memcpy (dst, src + s->col_index[0], sizeof (float) * ax->n);
      else
        for (int b = 0; b < ax->n; b++)
          dst[b] = s->col_index[b] >= 0 ? src[s->col_index[b]] : 0.0f;
    }

  fftwf_execute_dft_r2c (run->plan->forward, s->real, s->freq);
  multiply_conj (s->freq, run->spectrum->data, (gsize) ay->n * (ax->n / 2 + 1));
  fftwf_execute_dft_c2r (run->plan->inverse, s->freq, s->real);

  /* Scatter: phase output q sits at dense position q·d + r, which is an
   * output when the stride divides it. */
  for (int b = 0; b < cols; b++)
    {
      int p = (q_x0 + b) * ax->dilation + rx;

      if (p % ax->stride != 0)
        continue;
      s->col_src[n_cols] = b;
      s->col_dst[n_cols] = p / ax->stride;
      n_cols++;
    }

  for (int a = 0; a < rows; a++)
    {
      int p = (q_y0 + a) * ay->dilation + ry;
      const float *src = s->real + (gsize) a * ax->n;
      float *dst;

      if (p % ay->stride != 0)
        continue;
      dst = out + (gsize) (p / ay->stride) * out_w;

      if (ax->stride == 1 && ax->dilation == 1)
        add_offset (dst + q_x0, src, cols, offset);
      else
        for (int j = 0; j < n_cols; j++)
          dst[s->col_dst[j]] = src[s->col_src[j]] + offset;
    }
}

/* A worker claims tiles until none are left; a cancel is noticed between tiles. */
static void
run_worker (gpointer data,
            guint    worker)
{
  Run *run = data;
  Scratch *s = scratch_take (run->y.n, run->x.n);

  for (;;)
    {
      int task = g_atomic_int_add (&run->next_task, 1);

      if (task >= run->n_tasks)
        break;
      if (g_cancellable_is_cancelled (run->job->cancellable))
        {
          g_atomic_int_set (&run->cancelled, TRUE);
          break;
        }
      run_tile (run, s, task);
    }

  scratch_give (s);
}

static gboolean
run_job (const CvlConvJob *job,
         int               tile_h,
         int               tile_w,
         int               n_threads)
{
  const CvlConvGeometry *g = &job->geometry;
  const CvlConvOptions *o = job->options;
  const CvlKernel *k = job->kernel;
  int row_len = (g->out_h - 1) * o->stride_h + g->k_eff_h;
  int col_len = (g->out_w - 1) * o->stride_w + g->k_eff_w;
  g_autofree int *row_map = cvl_conv_border_map (row_len, g->pad_top, job->in->height, o->border);
  g_autofree int *col_map = cvl_conv_border_map (col_len, g->pad_left, job->in->width, o->border);
  Run run = { job };
  int n_workers, fftw_threads;
  gint64 tasks;
  gboolean completed;

  axis_init (&run.y, tile_h, k->height, o->dilation_h, o->stride_h, g->out_h, row_map, row_len);
  axis_init (&run.x, tile_w, k->width, o->dilation_w, o->stride_w, g->out_w, col_map, col_len);
  tasks = (gint64) job->in->channels * run.y.tiles * run.x.tiles * o->dilation_h *
          o->dilation_w;
  g_assert (tasks <= G_MAXINT / 2); /* the cost model never picks tiles that small */
  run.n_tasks = (int) tasks;

  /* Fewer tiles than threads (a small image, a huge kernel): FFTW's own
   * threads split each transform instead. */
  n_workers = MIN (n_threads, run.n_tasks);
  fftw_threads = n_workers < n_threads ? n_threads : 1;
  run.plan = get_plan (tile_h, tile_w, fftw_threads);
  run.spectrum = get_spectrum (k, o->flip, run.plan);

  if (n_workers <= 1)
    {
      run_worker (&run, 0);
      completed = TRUE;
    }
  else
    completed = cvl_parallel_for (n_workers, n_workers, run_worker, &run, job->cancellable);

  spectrum_unref ((Spectrum *) run.spectrum);

  return completed && !g_atomic_int_get (&run.cancelled);
}

void
cvl_conv_fft_set_tile_override (int tile_h,
                                int tile_w)
{
  g_return_if_fail (tile_h >= 0 && tile_h <= 4096 && tile_w >= 0 && tile_w <= 4096);

  g_atomic_int_set (&override_h, tile_h);
  g_atomic_int_set (&override_w, tile_w);
}

gboolean
cvl_conv_fft (const CvlConvJob *job)
{
  CvlFftTiling tiling;
  int n_threads = cvl_conv_get_threads ();
  int tile_h = g_atomic_int_get (&override_h), tile_w = g_atomic_int_get (&override_w);

  if (tile_h >= job->kernel->height && tile_w >= job->kernel->width)
    return run_job (job, tile_h, tile_w, n_threads);

  cvl_conv_fft_choose_tiling (job->in->height, job->in->width, job->in->channels,
                              job->kernel->height, job->kernel->width, job->options,
                              n_threads, &tiling);

  return run_job (job, tiling.tile_h, tiling.tile_w, n_threads);
}

/* ---- calibration ---- */

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* One tile of side n over an n×n image with a 1×1 kernel: gather, both
 * transforms, the product and the scatter, as in a real run. */
gboolean
cvl_conv_fft_time_tile (int           size_index,
                        double       *ns,
                        GCancellable *cancellable)
{
  int n;
  g_autoptr(CvlImage) in = NULL;
  g_autoptr(CvlImage) out = NULL;
  g_autoptr(CvlKernel) kernel = cvl_kernel_new_identity (1, 1);
  CvlConvOptions options;
  CvlConvJob job = { NULL };
  g_autofree int *map = NULL;
  Run run = { &job };
  Scratch *s;
  double times[7];
  int n_runs = 0, batch;
  gint64 start, budget_end;

  g_return_val_if_fail (size_index >= 0 && size_index < CVL_FFT_N_SIZES, FALSE);
  g_return_val_if_fail (ns != NULL, FALSE);

  n = cvl_fft_sizes[size_index];
  in = cvl_image_new (n, n, 1, NULL);
  out = cvl_image_new (n, n, 1, NULL);
  for (gsize i = 0; i < (gsize) n * n; i++)
    in->data[i] = (float) ((i * 2654435761u) >> 8 & 0xffff) / 65536.0f;

  cvl_conv_options_init (&options);
  options.padding = CVL_PADDING_VALID;
  job.in = in;
  job.kernel = kernel;
  job.options = &options;
  job.out = out;
  job.cancellable = cancellable;
  cvl_conv_geometry (n, n, 1, 1, &options, &job.geometry);
  map = cvl_conv_border_map (n, 0, n, CVL_BORDER_ZERO);

  axis_init (&run.y, n, 1, 1, 1, n, map, n);
  axis_init (&run.x, n, 1, 1, 1, n, map, n);
  run.n_tasks = 1;
  run.plan = get_plan (n, n, 1);
  run.spectrum = get_spectrum (kernel, FALSE, run.plan);
  s = scratch_take (n, n);

  /* Warm up (faults, caches), then time batches of at least ~0.2 ms: the
   * clock counts microseconds and a 16×16 tile takes about one. */
  start = g_get_monotonic_time ();
  run_tile (&run, s, 0);
  batch = (int) CLAMP (200 / MAX (g_get_monotonic_time () - start, 1), 1, 1000);
  budget_end = g_get_monotonic_time () + 20000;
  while (n_runs < (int) G_N_ELEMENTS (times) &&
         (n_runs < 3 || g_get_monotonic_time () < budget_end))
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      start = g_get_monotonic_time ();
      for (int b = 0; b < batch; b++)
        run_tile (&run, s, 0);
      times[n_runs++] = (g_get_monotonic_time () - start) * 1000.0 / batch;
    }

  scratch_give (s);
  spectrum_unref ((Spectrum *) run.spectrum);

  if (n_runs < 3)
    return FALSE;

  /* The fastest batch: a neighbour stealing the core only slows one down. */
  qsort (times, n_runs, sizeof (double), compare_double);
  *ns = times[0];
  return TRUE;
}
