/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kernel tests: the presets as the lecture states them, the text format with
 * its error messages, cell formatting round trips, and the grid edits. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cvl-error.h"
#include "cvl-kernel.h"

static void
assert_values (const CvlKernel *k,
               int              width,
               int              height,
               const float     *expected)
{
  g_assert_cmpint (k->width, ==, width);
  g_assert_cmpint (k->height, ==, height);
  for (int i = 0; i < width * height; i++)
    g_assert_cmpfloat_with_epsilon (k->values[i], expected[i], 1e-6);
}

static void
test_new (void)
{
  g_autoptr(CvlKernel) k = NULL;
  g_autoptr(CvlKernel) identity = NULL;
  g_autoptr(CvlKernel) even = NULL;
  g_autoptr(GError) error = NULL;
  static const float zeros[6] = { 0 };
  static const float centre[9] = { 0, 0, 0, 0, 1, 0, 0, 0, 0 };
  static const float even_centre[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };

  k = cvl_kernel_new (3, 2, &error);
  g_assert_no_error (error);
  assert_values (k, 3, 2, zeros);
  g_assert_cmpfloat_with_epsilon (k->divisor, 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (k->offset, 0, 1e-9);

  g_assert_null (cvl_kernel_new (0, 3, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cvl_kernel_new (3, CVL_KERNEL_MAX_SIZE + 1, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_pointer (&k, cvl_kernel_free);
  k = cvl_kernel_new (CVL_KERNEL_MAX_SIZE, CVL_KERNEL_MAX_SIZE, &error);
  g_assert_no_error (error);

  identity = cvl_kernel_new_identity (3, 3);
  assert_values (identity, 3, 3, centre);
  /* even sides: the tap over the output pixel is (k − 1) / 2 */
  even = cvl_kernel_new_identity (4, 2);
  assert_values (even, 4, 2, even_centre);
}

static void
test_copy_equal (void)
{
  g_autoptr(CvlKernel) a = cvl_kernel_new_preset ("sharpen", NULL);
  g_autoptr(CvlKernel) b = cvl_kernel_copy (a);

  g_assert_true (a->values != b->values);
  g_assert_true (cvl_kernel_equal (a, b));
  b->values[4] = 4;
  g_assert_false (cvl_kernel_equal (a, b));
  b->values[4] = 5;
  b->offset = 0.5f;
  g_assert_false (cvl_kernel_equal (a, b));
  b->offset = 0;
  cvl_kernel_transpose (b);
  g_assert_true (cvl_kernel_equal (a, b)); /* symmetric */
}

static void
test_presets (void)
{
  static const struct
  {
    const char *id;
    float       sum;      /* of the cells */
    float       divisor;
    CvlMap      map;
    float       centre;
  } expected[] = {
    { "identity",     1,  1,  CVL_MAP_CLAMP,  1 },
    { "blur",         16, 16, CVL_MAP_CLAMP,  4 },
    { "box-blur",     9,  9,  CVL_MAP_CLAMP,  1 },
    { "sharpen",      1,  1,  CVL_MAP_CLAMP,  5 },
    { "edge",         0,  1,  CVL_MAP_SIGNED, -4 },
    { "top-sobel",    0,  1,  CVL_MAP_SIGNED, 0 },
    { "bottom-sobel", 0,  1,  CVL_MAP_SIGNED, 0 },
    { "left-sobel",   0,  1,  CVL_MAP_SIGNED, 0 },
    { "right-sobel",  0,  1,  CVL_MAP_SIGNED, 0 },
    { "emboss",       1,  1,  CVL_MAP_CLAMP,  1 },
    { "outline",      0,  1,  CVL_MAP_CLAMP,  8 },
    { "laplace",      0,  1,  CVL_MAP_SIGNED, 0 },
  };
  const CvlPresetInfo *presets;
  guint n_presets = 0;
  g_autoptr(GError) error = NULL;

  presets = cvl_kernel_presets (&n_presets);
  g_assert_cmpuint (n_presets, ==, G_N_ELEMENTS (expected));
  g_assert_null (presets[n_presets].id);

  for (guint i = 0; i < n_presets; i++)
    {
      g_autoptr(CvlKernel) k = cvl_kernel_new_preset (presets[i].id, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (presets[i].id, ==, expected[i].id);
      g_assert_true (cvl_kernel_preset_info (presets[i].id) == &presets[i]);
      g_assert_nonnull (presets[i].label);
      g_assert_true (g_str_has_suffix (presets[i].description, "."));
      g_assert_cmpint (presets[i].map, ==, expected[i].map);
      g_assert_cmpint (k->width, ==, 3);
      g_assert_cmpint (k->height, ==, 3);
      g_assert_cmpfloat_with_epsilon (cvl_kernel_sum (k), expected[i].sum, 1e-6);
      g_assert_cmpfloat_with_epsilon (k->divisor, expected[i].divisor, 1e-6);
      g_assert_cmpfloat_with_epsilon (cvl_kernel_get (k, 1, 1), expected[i].centre, 1e-6);
    }

  g_assert_cmpstr (cvl_kernel_preset_info ("top-sobel")->label, ==, "Top Sobel");
  g_assert_cmpstr (cvl_kernel_preset_info ("box-blur")->label, ==, "Box Blur");

  {
    static const float top_sobel[] = { 1, 2, 1, 0, 0, 0, -1, -2, -1 };
    static const float laplace[] = { 5, 5, 5, -3, 0, -3, -3, -3, -3 };
    g_autoptr(CvlKernel) k = cvl_kernel_new_preset ("top-sobel", NULL);
    g_autoptr(CvlKernel) l = cvl_kernel_new_preset ("laplace", NULL);

    assert_values (k, 3, 3, top_sobel);
    assert_values (l, 3, 3, laplace);
  }

  g_assert_null (cvl_kernel_preset_info ("nope"));
  g_assert_null (cvl_kernel_new_preset ("nope", &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
}

static void
test_parse_good (void)
{
  static const struct
  {
    const char *text;
    int         width, height;
    float       values[9];
  } cases[] = {
    { "1 2 1\n2 4 2\n1 2 1", 3, 3, { 1, 2, 1, 2, 4, 2, 1, 2, 1 } },
    { "1,2;3,4", 2, 2, { 1, 2, 3, 4 } },
    { "1, 2 ;  3,\t4 ;", 2, 2, { 1, 2, 3, 4 } },
    { "\n\n1/16 -3/4\t1e-3\n\n", 3, 1, { 0.0625f, -0.75f, 0.001f } },
    { "1 2\r\n3 4\r\n", 2, 2, { 1, 2, 3, 4 } },
    { "-.5", 1, 1, { -0.5f } },
    { "+2/-4 3.", 2, 1, { -0.5f, 3 } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CvlKernel) k = cvl_kernel_parse (cases[i].text, &error);

      g_assert_no_error (error);
      assert_values (k, cases[i].width, cases[i].height, cases[i].values);
      g_assert_cmpfloat_with_epsilon (k->divisor, 1, 1e-9);
    }
}

static void
test_parse_bad (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "", "The kernel is empty: type at least one number" },
    { " \n ;\n", "The kernel is empty: type at least one number" },
    { "1 2\n3", "Row 2 has 1 cell, row 1 has 2" },
    { "1 2 3\n4 5\n6 7 8", "Row 2 has 2 cells, row 1 has 3" },
    { "1 abc", "“abc” is not a number (row 1, cell 2)" },
    { "1\nnan", "“nan” is not a number (row 2, cell 1)" },
    { "inf", "“inf” is not a number (row 1, cell 1)" },
    { "-Infinity", "“-Infinity” is not a number (row 1, cell 1)" },
    { "0x10", "“0x10” is not a number (row 1, cell 1)" },
    { "1e999", "“1e999” is too large for a kernel cell (row 1, cell 1)" },
    { "1e39", "“1e39” is too large for a kernel cell (row 1, cell 1)" },
    { "1/0", "“1/0” divides by zero (row 1, cell 1)" },
    { "2 3/0.0", "“3/0.0” divides by zero (row 1, cell 2)" },
    { "1/2/3", "“1/2/3” is not a number (row 1, cell 1)" },
    { "1/", "“1/” is not a number (row 1, cell 1)" },
    { "1e", "“1e” is not a number (row 1, cell 1)" },
    { "--1", "“--1” is not a number (row 1, cell 1)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (cvl_kernel_parse (cases[i].text, &error));
      g_assert_error (error, CVL_ERROR, CVL_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_parse_too_large (void)
{
  g_autoptr(GString) wide = g_string_new (NULL);
  g_autoptr(GString) tall = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CvlKernel) largest = NULL;

  for (int i = 0; i < CVL_KERNEL_MAX_SIZE + 1; i++)
    {
      g_string_append (wide, "1 ");
      g_string_append (tall, "1\n");
    }

  g_assert_null (cvl_kernel_parse (wide->str, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==,
                   "The kernel has 256×1 cells; each side can have at most 255");
  g_clear_error (&error);

  g_assert_null (cvl_kernel_parse (tall->str, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_PARSE);
  g_clear_error (&error);

  g_string_truncate (tall, 2 * CVL_KERNEL_MAX_SIZE);
  largest = cvl_kernel_parse (tall->str, &error);
  g_assert_no_error (error);
  g_assert_cmpint (largest->height, ==, CVL_KERNEL_MAX_SIZE);
}

static void
test_parse_cell (void)
{
  g_autoptr(GError) error = NULL;
  float v = 0;

  g_assert_true (cvl_kernel_parse_cell (" -3/4 ", &v, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (v, -0.75, 1e-9);
  g_assert_true (cvl_kernel_parse_cell ("1e-3", &v, &error));
  g_assert_cmpfloat_with_epsilon (v, 0.001, 1e-9);

  g_assert_false (cvl_kernel_parse_cell ("abc", &v, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "“abc” is not a number");
  g_clear_error (&error);

  g_assert_false (cvl_kernel_parse_cell ("", &v, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_PARSE);
}

static void
test_format_cell (void)
{
  static const struct
  {
    float       value;
    const char *text;
  } exact[] = {
    { 0.0625f, "0.0625" }, { -2, "-2" }, { 0.1f, "0.1" }, { 0, "0" }, { -0.0f, "0" },
    { 1.0f / 3, "0.33333334" }, { 1e-5f, "1e-05" }, { 100, "100" }, { 1.5e6f, "1500000" },
    { 3.5e20f, "3.5e+20" }, { -1e-3f, "-0.001" },
  };
  static const float round_trip[] = {
    1.0f / 16, 0.1f, 1.0f / 3, -2.0f / 7, 1e-7f, 3.4e38f, -1.17549435e-38f, 255, 0.2989f,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (exact); i++)
    {
      g_autofree char *text = cvl_kernel_format_cell (exact[i].value);

      g_assert_cmpstr (text, ==, exact[i].text);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (round_trip); i++)
    {
      g_autofree char *text = cvl_kernel_format_cell (round_trip[i]);
      float back = 0;

      g_assert_true (cvl_kernel_parse_cell (text, &back, NULL));
      g_assert_true (memcmp (&back, &round_trip[i], sizeof back) == 0);
    }
}

static void
test_to_text (void)
{
  g_autoptr(CvlKernel) k = cvl_kernel_parse ("1/16 2/16\n-0.5 3", NULL);
  g_autofree char *text = cvl_kernel_to_text (k);
  g_autoptr(CvlKernel) back = cvl_kernel_parse (text, NULL);

  g_assert_cmpstr (text, ==, "0.0625 0.125\n-0.5 3");
  g_assert_true (cvl_kernel_equal (k, back));
}

static void
test_divisor (void)
{
  g_autoptr(CvlKernel) k = cvl_kernel_new (3, 3, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cvl_kernel_set_divisor (k, -4, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (k->divisor, -4, 1e-9);

  g_assert_false (cvl_kernel_set_divisor (k, 0, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cvl_kernel_set_divisor (k, NAN, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cvl_kernel_set_divisor (k, -INFINITY, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpfloat_with_epsilon (k->divisor, -4, 1e-9);
}

static void
test_normalize (void)
{
  static const float blur[] = { 1 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 4 / 16.f,
                                2 / 16.f, 1 / 16.f, 2 / 16.f, 1 / 16.f };
  g_autoptr(CvlKernel) k = cvl_kernel_new_preset ("blur", NULL);
  g_autoptr(CvlKernel) edge = cvl_kernel_new_preset ("edge", NULL);
  g_autoptr(CvlKernel) edge_copy = cvl_kernel_copy (edge);
  g_autoptr(CvlKernel) noise = cvl_kernel_parse ("0.1 0.2 -0.3", NULL);

  g_assert_true (cvl_kernel_normalize (k));
  assert_values (k, 3, 3, blur);
  g_assert_cmpfloat_with_epsilon (k->divisor, 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (cvl_kernel_sum (k), 1, 1e-6);

  g_assert_false (cvl_kernel_normalize (edge));
  g_assert_true (cvl_kernel_equal (edge, edge_copy));
  g_assert_false (cvl_kernel_normalize (noise));
}

static void
test_flip_transpose_rotate (void)
{
  /* 3 wide, 2 high:  1 2 3
   *                  4 5 6 */
  static const float flipped[] = { 6, 5, 4, 3, 2, 1 };
  static const float transposed[] = { 1, 4, 2, 5, 3, 6 };
  static const float clockwise[] = { 4, 1, 5, 2, 6, 3 };
  static const float original[] = { 1, 2, 3, 4, 5, 6 };
  g_autoptr(CvlKernel) k = cvl_kernel_parse ("1 2 3\n4 5 6", NULL);

  cvl_kernel_flip (k);
  assert_values (k, 3, 2, flipped);
  cvl_kernel_flip (k);
  assert_values (k, 3, 2, original);

  cvl_kernel_transpose (k);
  assert_values (k, 2, 3, transposed);
  cvl_kernel_transpose (k);
  assert_values (k, 3, 2, original);

  cvl_kernel_rotate (k);
  assert_values (k, 2, 3, clockwise);
  cvl_kernel_rotate (k);
  assert_values (k, 3, 2, flipped);
  cvl_kernel_rotate (k);
  cvl_kernel_rotate (k);
  assert_values (k, 3, 2, original);

  /* turning the top Sobel clockwise gives the right Sobel */
  {
    g_autoptr(CvlKernel) top = cvl_kernel_new_preset ("top-sobel", NULL);
    g_autoptr(CvlKernel) right = cvl_kernel_new_preset ("right-sobel", NULL);

    cvl_kernel_rotate (top);
    g_assert_true (cvl_kernel_equal (top, right));
  }
}

static void
test_resize (void)
{
  static const float grown[] = {
    0, 0, 0, 0, 0,
    0, 1, 2, 3, 0,
    0, 4, 5, 6, 0,
    0, 7, 8, 9, 0,
    0, 0, 0, 0, 0,
  };
  static const float cropped[] = { 5 };
  static const float even[] = {
    1, 2, 3, 0,
    4, 5, 6, 0,
    7, 8, 9, 0,
    0, 0, 0, 0,
  };
  g_autoptr(CvlKernel) k = cvl_kernel_parse ("1 2 3\n4 5 6\n7 8 9", NULL);
  g_autoptr(CvlKernel) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cvl_kernel_resize (k, 5, 5, &error));
  g_assert_no_error (error);
  assert_values (k, 5, 5, grown);

  back = cvl_kernel_copy (k);
  g_assert_true (cvl_kernel_resize (back, 3, 3, NULL));
  g_assert_true (cvl_kernel_resize (k, 4, 4, NULL));
  assert_values (k, 4, 4, even);
  g_assert_true (cvl_kernel_resize (back, 1, 1, NULL));
  assert_values (back, 1, 1, cropped);

  g_assert_false (cvl_kernel_resize (k, 0, 4, &error));
  g_assert_error (error, CVL_ERROR, CVL_ERROR_INVALID_ARGUMENT);
  assert_values (k, 4, 4, even);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/kernel/new", test_new);
  g_test_add_func ("/core/kernel/copy-equal", test_copy_equal);
  g_test_add_func ("/core/kernel/presets", test_presets);
  g_test_add_func ("/core/kernel/parse-good", test_parse_good);
  g_test_add_func ("/core/kernel/parse-bad", test_parse_bad);
  g_test_add_func ("/core/kernel/parse-too-large", test_parse_too_large);
  g_test_add_func ("/core/kernel/parse-cell", test_parse_cell);
  g_test_add_func ("/core/kernel/format-cell", test_format_cell);
  g_test_add_func ("/core/kernel/to-text", test_to_text);
  g_test_add_func ("/core/kernel/divisor", test_divisor);
  g_test_add_func ("/core/kernel/normalize", test_normalize);
  g_test_add_func ("/core/kernel/flip-transpose-rotate", test_flip_transpose_rotate);
  g_test_add_func ("/core/kernel/resize", test_resize);

  return g_test_run ();
}
