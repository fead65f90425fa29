/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Digit preprocessing on hand-made pictures: the centre of mass lands at the
 * centre, the aspect ratio is kept, dark-on-light is detected, an empty
 * canvas has no digit, blobs and specks are told apart. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-digit.h"
#include "cvl-error.h"

#define SIDE CVL_DIGIT_SIDE

typedef struct
{
  int    width;
  int    height;
  float *pixels;
} Canvas;

static Canvas *
canvas_new (int   width,
            int   height,
            float paper)
{
  Canvas *canvas = g_new0 (Canvas, 1);

  canvas->width = width;
  canvas->height = height;
  canvas->pixels = g_new (float, (gsize) width * height);
  for (gsize i = 0; i < (gsize) width * height; i++)
    canvas->pixels[i] = paper;
  return canvas;
}

static void
canvas_free (Canvas *canvas)
{
  g_free (canvas->pixels);
  g_free (canvas);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Canvas, canvas_free)

static void
fill_rect (Canvas *canvas,
           int     x0,
           int     y0,
           int     x1,
           int     y1,
           float   ink)
{
  for (int y = MAX (y0, 0); y < MIN (y1, canvas->height); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, canvas->width); x++)
      canvas->pixels[(gsize) y * canvas->width + x] = ink;
}

/* A round-capped stroke of `width` pixels from (ax, ay) to (bx, by). */
static void
stroke (Canvas *canvas,
        double  ax,
        double  ay,
        double  bx,
        double  by,
        double  width,
        float   ink)
{
  double dx = bx - ax, dy = by - ay;
  double len2 = dx * dx + dy * dy;

  for (int y = 0; y < canvas->height; y++)
    for (int x = 0; x < canvas->width; x++)
      {
        double px = x + 0.5, py = y + 0.5;
        double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
        double qx, qy;

        t = CLAMP (t, 0.0, 1.0);
        qx = ax + t * dx - px;
        qy = ay + t * dy - py;
        if (qx * qx + qy * qy <= width * width / 4)
          canvas->pixels[(gsize) y * canvas->width + x] = ink;
      }
}

static void
ring (Canvas *canvas,
      double  cx,
      double  cy,
      double  rx,
      double  ry,
      double  width,
      float   ink)
{
  for (int y = 0; y < canvas->height; y++)
    for (int x = 0; x < canvas->width; x++)
      {
        double u = (x + 0.5 - cx) / rx, v = (y + 0.5 - cy) / ry;
        double r = sqrt (u * u + v * v);
        double scale = MIN (rx, ry);

        if (fabs (r - 1) * scale <= width / 2)
          canvas->pixels[(gsize) y * canvas->width + x] = ink;
      }
}

/* A "7": a bar and a slanted stem, at (x, y) with the given size. */
static void
seven (Canvas *canvas,
       double  x,
       double  y,
       double  size,
       float   ink)
{
  stroke (canvas, x, y, x + 0.6 * size, y, 0.12 * size, ink);
  stroke (canvas, x + 0.6 * size, y, x + 0.2 * size, y + size, 0.12 * size, ink);
}

static void
preprocess (const Canvas *canvas,
            gboolean      center_by_mass,
            float        *out,
            CvlDigitInfo *info)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cvl_digit_preprocess (canvas->pixels, canvas->width, canvas->height,
                                       center_by_mass, out, info, &error));
  g_assert_no_error (error);
}

/* Computed here, independently: pixel x covers [x, x + 1). */
static void
mass_centre (const float *out,
             double      *cx,
             double      *cy)
{
  double sum = 0, sx = 0, sy = 0;

  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      {
        sum += out[y * SIDE + x];
        sx += out[y * SIDE + x] * (x + 0.5);
        sy += out[y * SIDE + x] * (y + 0.5);
      }
  g_assert_cmpfloat (sum, >, 0);
  *cx = sx / sum;
  *cy = sy / sum;
}

/* The output's ink box (values above `level`), exclusive ends. */
static void
ink_box (const float *out,
         float        level,
         int         *x0,
         int         *y0,
         int         *x1,
         int         *y1)
{
  *x0 = *y0 = SIDE;
  *x1 = *y1 = 0;
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      if (out[y * SIDE + x] > level)
        {
          *x0 = MIN (*x0, x);
          *y0 = MIN (*y0, y);
          *x1 = MAX (*x1, x + 1);
          *y1 = MAX (*y1, y + 1);
        }
}

static void
assert_in_range (const float *out)
{
  float top = 0;

  for (int i = 0; i < SIDE * SIDE; i++)
    {
      g_assert_cmpfloat (out[i], >=, 0.f);
      g_assert_cmpfloat (out[i], <=, 1.f);
      top = MAX (top, out[i]);
    }
  g_assert_cmpfloat (top, >, 0.9f);
}

/* Lopsided shapes anywhere on canvases of any size: the mass's centre ends
 * within half a pixel of (14, 14), as the info reports too. */
static void
test_centre_of_mass (void)
{
  struct { int w, h; double x, y, size; } cases[] = {
    { 280, 280, 100, 80, 120 },
    { 640, 200, 20, 10, 150 },
    { 60, 400, 5, 300, 50 },
    { 28, 28, 2, 2, 12 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Canvas) canvas = canvas_new (cases[i].w, cases[i].h, 0.f);
      float out[SIDE * SIDE];
      CvlDigitInfo info;
      double cx, cy;

      seven (canvas, cases[i].x, cases[i].y, cases[i].size, 1.f);
      preprocess (canvas, TRUE, out, &info);
      g_assert_true (info.found);
      g_assert_false (info.inverted);
      g_assert_cmpint (info.n_blobs, ==, 1);
      assert_in_range (out);

      mass_centre (out, &cx, &cy);
      g_assert_cmpfloat_with_epsilon (cx, 14.0, 0.5);
      g_assert_cmpfloat_with_epsilon (cy, 14.0, 0.5);
      g_assert_cmpfloat_with_epsilon (info.com_x, cx, 1e-3);
      g_assert_cmpfloat_with_epsilon (info.com_y, cy, 1e-3);
    }
}

/* The bounding box's longer side becomes 20 pixels, the other in proportion. */
static void
test_aspect_kept (void)
{
  g_autoptr(Canvas) tall = canvas_new (300, 300, 0.f);
  g_autoptr(Canvas) wide = canvas_new (300, 300, 0.f);
  float out[SIDE * SIDE];
  CvlDigitInfo info;
  int x0, y0, x1, y1;

  /* A "1": 15 × 150, so 2 × 20 once fitted. */
  fill_rect (tall, 140, 70, 155, 220, 1.f);
  preprocess (tall, TRUE, out, &info);
  g_assert_cmpint (info.x0, ==, 140);
  g_assert_cmpint (info.x1, ==, 155);
  g_assert_cmpint (info.y0, ==, 70);
  g_assert_cmpint (info.y1, ==, 220);
  ink_box (out, 0.01f, &x0, &y0, &x1, &y1);
  g_assert_cmpint (y1 - y0, >=, 20);
  g_assert_cmpint (y1 - y0, <=, 21);
  g_assert_cmpint (x1 - x0, >=, 2);
  g_assert_cmpint (x1 - x0, <=, 3);

  /* The same stroke lying down. */
  fill_rect (wide, 70, 140, 220, 155, 1.f);
  preprocess (wide, TRUE, out, &info);
  ink_box (out, 0.01f, &x0, &y0, &x1, &y1);
  g_assert_cmpint (x1 - x0, >=, 20);
  g_assert_cmpint (x1 - x0, <=, 21);
  g_assert_cmpint (y1 - y0, >=, 2);
  g_assert_cmpint (y1 - y0, <=, 3);
}

/* Small digits are enlarged too: a 10 × 10 square fills 20 × 20. */
static void
test_enlarged (void)
{
  g_autoptr(Canvas) canvas = canvas_new (100, 100, 0.f);
  float out[SIDE * SIDE];
  CvlDigitInfo info;
  int x0, y0, x1, y1;

  fill_rect (canvas, 30, 50, 40, 60, 1.f);
  preprocess (canvas, TRUE, out, &info);
  ink_box (out, 0.5f, &x0, &y0, &x1, &y1);
  g_assert_cmpint (x0, ==, 4);
  g_assert_cmpint (y0, ==, 4);
  g_assert_cmpint (x1, ==, 24);
  g_assert_cmpint (y1, ==, 24);
  g_assert_cmpfloat_with_epsilon (out[14 * SIDE + 14], 1.f, 1e-4);
}

/* Downscaling averages areas: a slanted stroke has grey edges, like MNIST's. */
static void
test_anti_aliased (void)
{
  g_autoptr(Canvas) canvas = canvas_new (400, 400, 0.f);
  float out[SIDE * SIDE];
  CvlDigitInfo info;
  int greys = 0;

  stroke (canvas, 100, 50, 250, 350, 30, 1.f);
  preprocess (canvas, TRUE, out, &info);
  for (int i = 0; i < SIDE * SIDE; i++)
    if (out[i] > 0.1f && out[i] < 0.9f)
      greys++;
  g_assert_cmpint (greys, >=, 10);
}

/* Black ink on white paper gives the same digit as white on black. */
static void
test_dark_on_light (void)
{
  g_autoptr(Canvas) light = canvas_new (200, 240, 1.f);
  g_autoptr(Canvas) dark = canvas_new (200, 240, 0.f);
  float out_light[SIDE * SIDE], out_dark[SIDE * SIDE];
  CvlDigitInfo info_light, info_dark;

  ring (light, 100, 120, 50, 80, 18, 0.f);
  ring (dark, 100, 120, 50, 80, 18, 1.f);
  preprocess (light, TRUE, out_light, &info_light);
  preprocess (dark, TRUE, out_dark, &info_dark);

  g_assert_true (info_light.inverted);
  g_assert_false (info_dark.inverted);
  g_assert_true (info_light.found);
  g_assert_cmpint (info_light.n_blobs, ==, 1);
  for (int i = 0; i < SIDE * SIDE; i++)
    g_assert_cmpfloat_with_epsilon (out_light[i], out_dark[i], 1e-4);
  /* A "0": the middle is empty, the ring is bright. */
  g_assert_cmpfloat (out_light[14 * SIDE + 14], <, 0.05f);
  assert_in_range (out_light);
}

/* A grey pencil on off-white paper: contrast is stretched to full range. */
static void
test_low_contrast (void)
{
  g_autoptr(Canvas) canvas = canvas_new (120, 120, 0.85f);
  float out[SIDE * SIDE];
  CvlDigitInfo info;

  stroke (canvas, 60, 20, 60, 100, 12, 0.55f);
  preprocess (canvas, TRUE, out, &info);
  g_assert_true (info.found);
  g_assert_true (info.inverted);
  assert_in_range (out);
}

static void
test_empty (void)
{
  float papers[] = { 0.f, 1.f, 0.5f };

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr(Canvas) canvas = canvas_new (50, 40, papers[i]);
      float out[SIDE * SIDE];
      CvlDigitInfo info;

      memset (out, 0x7f, sizeof out);
      /* A faint smudge is not a digit either. */
      canvas->pixels[20 * 50 + 20] = papers[i] + (papers[i] < 0.5f ? 0.05f : -0.05f);
      preprocess (canvas, TRUE, out, &info);
      g_assert_false (info.found);
      g_assert_cmpint (info.n_blobs, ==, 0);
      for (int j = 0; j < SIDE * SIDE; j++)
        g_assert_cmpfloat_with_epsilon (out[j], 0.f, 1e-7);
    }
}

/* Two strokes apart are two blobs; a speck of dirt is neither a blob nor in
 * the box. */
static void
test_blobs (void)
{
  g_autoptr(Canvas) two = canvas_new (200, 200, 0.f);
  g_autoptr(Canvas) specked = canvas_new (200, 200, 0.f);
  float out[SIDE * SIDE];
  CvlDigitInfo info;

  fill_rect (two, 40, 40, 60, 160, 1.f);
  fill_rect (two, 120, 40, 140, 160, 1.f);
  preprocess (two, TRUE, out, &info);
  g_assert_cmpint (info.n_blobs, ==, 2);
  g_assert_cmpint (info.x0, ==, 40);
  g_assert_cmpint (info.x1, ==, 140);

  fill_rect (specked, 90, 40, 110, 160, 1.f);
  fill_rect (specked, 180, 180, 182, 182, 1.f);
  preprocess (specked, TRUE, out, &info);
  g_assert_cmpint (info.n_blobs, ==, 1);
  g_assert_cmpint (info.x0, ==, 90);
  g_assert_cmpint (info.y1, ==, 160);
}

/* Without centring by mass, the box is centred: equal margins (±1). */
static void
test_geometric_centre (void)
{
  g_autoptr(Canvas) canvas = canvas_new (200, 200, 0.f);
  float out[SIDE * SIDE];
  CvlDigitInfo info;
  int x0, y0, x1, y1;
  double cx, cy;

  seven (canvas, 40, 30, 140, 1.f);
  preprocess (canvas, FALSE, out, &info);
  ink_box (out, 0.01f, &x0, &y0, &x1, &y1);
  g_assert_cmpint (ABS (x0 - (SIDE - x1)), <=, 1);
  g_assert_cmpint (ABS (y0 - (SIDE - y1)), <=, 1);

  /* A 7's mass is high and right of its box's centre: here it is not moved. */
  mass_centre (out, &cx, &cy);
  g_assert_cmpfloat (cy, <, 13.0);
  g_assert_cmpfloat_with_epsilon (info.com_y, cy, 1e-3);
}

/* The same digit drawn small in a corner or large in the middle comes out
 * nearly the same. */
static void
test_position_and_size (void)
{
  g_autoptr(Canvas) small = canvas_new (300, 300, 0.f);
  g_autoptr(Canvas) large = canvas_new (300, 300, 0.f);
  float out_small[SIDE * SIDE], out_large[SIDE * SIDE];
  CvlDigitInfo info;
  double diff = 0;

  seven (small, 10, 200, 80, 1.f);
  seven (large, 50, 20, 260, 1.f);
  preprocess (small, TRUE, out_small, &info);
  preprocess (large, TRUE, out_large, &info);
  for (int i = 0; i < SIDE * SIDE; i++)
    diff += fabs (out_small[i] - out_large[i]);
  g_assert_cmpfloat (diff / (SIDE * SIDE), <, 0.03);
}

/* Noise and NaN pixels: a best effort, never a crash; noise is many blobs. */
static void
test_noise (void)
{
  g_autoptr(Canvas) canvas = canvas_new (120, 90, 0.f);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  float out[SIDE * SIDE];
  CvlDigitInfo info;

  for (int i = 0; i < 120 * 90; i++)
    canvas->pixels[i] = g_rand_double (rand) < 0.2 ? (float) g_rand_double (rand) : 0.f;
  canvas->pixels[5] = NAN;
  canvas->pixels[500] = INFINITY;
  canvas->pixels[600] = -INFINITY;
  preprocess (canvas, TRUE, out, &info);
  g_assert_true (info.found);
  g_assert_cmpint (info.n_blobs, >, 1);
  for (int i = 0; i < SIDE * SIDE; i++)
    g_assert_true (out[i] >= 0.f && out[i] <= 1.f);
}

static void
test_bad_arguments (void)
{
  float pixel = 1.f;
  float out[SIDE * SIDE];
  CvlDigitInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_false (cvl_digit_preprocess (&pixel, 0, 1, TRUE, out, &info, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cvl_digit_preprocess (&pixel, 1 << 16, 1 << 16, TRUE, out, &info, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* One pixel is a picture, but all border: no digit. info may be NULL. */
  g_assert_true (cvl_digit_preprocess (&pixel, 1, 1, TRUE, out, NULL, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/digit/centre-of-mass", test_centre_of_mass);
  g_test_add_func ("/core/digit/aspect-kept", test_aspect_kept);
  g_test_add_func ("/core/digit/enlarged", test_enlarged);
  g_test_add_func ("/core/digit/anti-aliased", test_anti_aliased);
  g_test_add_func ("/core/digit/dark-on-light", test_dark_on_light);
  g_test_add_func ("/core/digit/low-contrast", test_low_contrast);
  g_test_add_func ("/core/digit/empty", test_empty);
  g_test_add_func ("/core/digit/blobs", test_blobs);
  g_test_add_func ("/core/digit/geometric-centre", test_geometric_centre);
  g_test_add_func ("/core/digit/position-and-size", test_position_and_size);
  g_test_add_func ("/core/digit/noise", test_noise);
  g_test_add_func ("/core/digit/bad-arguments", test_bad_arguments);

  return g_test_run ();
}
