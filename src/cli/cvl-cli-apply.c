/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `convolve-cli apply`: one image, one kernel, one result, with every knob of
 * the engine on the command line. Option values are checked while they are
 * parsed, so a bad one is a usage error before any file is read or written. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "cvl-cli.h"
#include "cvl-conv.h"
#include "cvl-error.h"
#include "cvl-imageio.h"
#include "cvl-kernel-gen.h"
#include "cvl-map.h"
#include "cvl-npy.h"

/* Kernel files are small text: 255 × 255 cells like "-1/16" fit in this. */
#define KERNEL_FILE_MAX (1024 * 1024)

/* Everything kernel text may contain; anything else names a preset, a
 * generator or a file. */
#define KERNEL_TEXT_CHARS "0123456789+-./eE,; \t\r\n"

typedef struct
{
  CvlConvOptions conv;
  CvlEngine      engine;
  CvlMap         map;
  gboolean       has_map;
  float          divisor;      /* 0: the kernel's own */
  float          offset;
  gboolean       has_offset;
} ApplyArgs;

/* Indexed by the enum values. */
static const char * const padding_names[] = { "same", "valid", NULL };
static const char * const border_names[] = { "zero", "clamp", "reflect", "wrap", NULL };

static gboolean
parse_choice (const char          *option,
              const char          *value,
              const char * const  *names,
              int                 *choice,
              GError             **error)
{
  g_autofree char *list = NULL;

  for (int i = 0; names[i] != NULL; i++)
    if (g_str_equal (value, names[i]))
      {
        *choice = i;
        return TRUE;
      }

  list = g_strjoinv ("|", (char **) names);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s takes %s, not “%s”"), option, list, value);
  return FALSE;
}

/* "N" for both axes or "NxM", vertical × horizontal as TensorFlow orders
 * strides; each from 1 to max. */
static gboolean
parse_pair (const char  *option,
            const char  *value,
            int          max,
            int         *vertical,
            int         *horizontal,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit_set (value, "xX", 3);
  guint n = g_strv_length (parts);
  guint64 v, h;

  if ((n == 1 || n == 2)
      && g_ascii_string_to_unsigned (parts[0], 10, 1, max, &v, NULL)
      && g_ascii_string_to_unsigned (parts[n - 1], 10, 1, max, &h, NULL))
    {
      *vertical = v;
      *horizontal = h;
      return TRUE;
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s takes N or NxM (vertical × horizontal) with each from 1 to %d, not “%s”"),
               option, max, value);
  return FALSE;
}

/* Same syntax as a kernel cell, so "1/16" works for --divisor. */
static gboolean
parse_number (const char  *option,
              const char  *value,
              float       *number,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!cvl_kernel_parse_cell (value, number, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: %s"), option, local_error->message);
      return FALSE;
    }
  if (!isfinite (*number))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s takes a finite number, not “%s”"), option, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_stride (const char *option, const char *value, gpointer data, GError **error)
{
  ApplyArgs *args = data;

  return parse_pair (option, value, CVL_CONV_MAX_STRIDE,
                     &args->conv.stride_h, &args->conv.stride_w, error);
}

static gboolean
on_dilation (const char *option, const char *value, gpointer data, GError **error)
{
  ApplyArgs *args = data;

  return parse_pair (option, value, CVL_CONV_MAX_DILATION,
                     &args->conv.dilation_h, &args->conv.dilation_w, error);
}

static gboolean
on_padding (const char *option, const char *value, gpointer data, GError **error)
{
  ApplyArgs *args = data;
  int choice;

  if (!parse_choice (option, value, padding_names, &choice, error))
    return FALSE;
  args->conv.padding = choice;
  return TRUE;
}

static gboolean
on_border (const char *option, const char *value, gpointer data, GError **error)
{
  ApplyArgs *args = data;
  int choice;

  if (!parse_choice (option, value, border_names, &choice, error))
    return FALSE;
  args->conv.border = choice;
  return TRUE;
}

/* The engine names belong to the core, like the map names. */
static gboolean
on_engine (const char *option, const char *value, gpointer data, GError **error)
{
  ApplyArgs *args = data;
  g_autoptr(GString) list = NULL;

  if (cvl_engine_from_string (value, &args->engine))
    return TRUE;

  list = g_string_new (NULL);
  for (CvlEngine engine = 0; engine < CVL_N_ENGINES; engine++)
    g_string_append_printf (list, "%s%s", engine == 0 ? "" : "|", cvl_engine_to_string (engine));
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s takes %s, not “%s”"), option, list->str, value);
  return FALSE;
}

/* The map names belong to the core; the list in the message is built from them. */
static gboolean
on_map (const char *option, const char *value, gpointer data, GError **error)
{
  ApplyArgs *args = data;
  g_autoptr(GString) list = NULL;

  if (cvl_map_from_string (value, &args->map))
    {
      args->has_map = TRUE;
      return TRUE;
    }

  list = g_string_new (cvl_map_to_string (CVL_MAP_CLAMP));
  for (CvlMap map = CVL_MAP_CLAMP + 1; map <= CVL_MAP_SIGNED; map++)
    g_string_append_printf (list, "|%s", cvl_map_to_string (map));
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s takes %s, not “%s”"), option, list->str, value);
  return FALSE;
}

static gboolean
on_divisor (const char *option, const char *value, gpointer data, GError **error)
{
  ApplyArgs *args = data;

  if (!parse_number (option, value, &args->divisor, error))
    return FALSE;
  if (args->divisor == 0.0f)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s must not be 0"), option);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_offset (const char *option, const char *value, gpointer data, GError **error)
{
  ApplyArgs *args = data;

  args->has_offset = TRUE;
  return parse_number (option, value, &args->offset, error);
}

static CvlKernel *
load_kernel_file (const char  *path,
                  GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *text = g_malloc (KERNEL_FILE_MAX + 1);
  gsize length = 0;
  CvlKernel *kernel;

  stream = g_file_read (file, NULL, error);
  if (stream == NULL
      || !g_input_stream_read_all (G_INPUT_STREAM (stream), text, KERNEL_FILE_MAX + 1,
                                   &length, NULL, error))
    return NULL;

  if (length > KERNEL_FILE_MAX)
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_TOO_LARGE,
                   _("Kernel file “%s” is larger than %d KiB"), name, KERNEL_FILE_MAX / 1024);
      return NULL;
    }
  text[length] = '\0';
  if (strlen (text) != length || !g_utf8_validate (text, length, NULL))
    {
      g_set_error (error, CVL_ERROR, CVL_ERROR_FORMAT,
                   _("Kernel file “%s” is not text"), name);
      return NULL;
    }

  kernel = cvl_kernel_parse (text, error);
  if (kernel == NULL)
    g_prefix_error (error, _("Kernel file “%s”: "), name);
  return kernel;
}

/* A picture (its luma, summing to 1) or else a text kernel file. A file
 * that is neither reports why it is no picture when it is not text either. */
static CvlKernel *
load_kernel_file_or_image (const char  *path,
                           GError     **error)
{
  g_autoptr(GError) image_error = NULL;
  g_autoptr(GError) text_error = NULL;
  g_autoptr(CvlImage) image = NULL;
  CvlKernel *kernel;

  image = cvl_imageio_load (path, &image_error);
  if (image != NULL)
    {
      g_autofree char *name = g_filename_display_basename (path);

      kernel = cvl_kernel_new_from_image (image, error);
      if (kernel == NULL)
        g_prefix_error (error, _("Kernel image “%s”: "), name);
      return kernel;
    }
  if (!g_error_matches (image_error, CVL_ERROR, CVL_ERROR_FORMAT))
    {
      g_propagate_error (error, g_steal_pointer (&image_error));
      return NULL;
    }

  kernel = load_kernel_file (path, &text_error);
  if (kernel != NULL)
    return kernel;
  g_propagate_error (error, g_error_matches (text_error, CVL_ERROR, CVL_ERROR_FORMAT)
                            ? g_steal_pointer (&image_error) : g_steal_pointer (&text_error));
  return NULL;
}

/* A generator spec is part of the command line: a bad one is a usage error. */
static CvlKernel *
generate_kernel (const char              *spec,
                 const CvlGeneratorInfo **generator,
                 GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = g_strstrip (g_strndup (spec, strcspn (spec, ":")));
  CvlKernel *kernel;

  kernel = cvl_kernel_parse_generator (spec, &local_error);
  if (kernel == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--kernel “%s”: %s"), spec, local_error->message);
      return NULL;
    }
  *generator = cvl_kernel_generator_info (id);
  return kernel;
}

/* --kernel is a preset id, else a generator id, else an existing file
 * (picture or text), else a generator spec "id:key=value,…", else kernel
 * text. */
static CvlKernel *
resolve_kernel (const char               *spec,
                const CvlPresetInfo     **preset,
                const CvlGeneratorInfo  **generator,
                GError                  **error)
{
  g_autoptr(GError) local_error = NULL;
  CvlKernel *kernel;

  *generator = NULL;
  *preset = cvl_kernel_preset_info (spec);
  if (*preset != NULL)
    return cvl_kernel_new_preset (spec, error);

  if (cvl_kernel_generator_info (spec) != NULL)
    return generate_kernel (spec, generator, error);

  if (g_file_test (spec, G_FILE_TEST_IS_REGULAR))
    return load_kernel_file_or_image (spec, error);

  if (strchr (spec, ':') != NULL)
    return generate_kernel (spec, generator, error);

  if (spec[strspn (spec, KERNEL_TEXT_CHARS)] != '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--kernel “%s” is neither a preset, a generator nor a file; "
                     "“convolve-cli presets” and “convolve-cli generators” list them"), spec);
      return NULL;
    }

  kernel = cvl_kernel_parse (spec, &local_error);
  if (kernel == NULL)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("--kernel: %s"), local_error->message);
  return kernel;
}

/* The extension of OUT picks the format. */
static gboolean
output_format (const char  *path,
               gboolean    *npy,
               GError     **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  *npy = g_str_has_suffix (lower, ".npy");
  if (*npy || g_str_has_suffix (lower, ".png"))
    return TRUE;

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("OUT must end in .png or .npy, not “%s”"), path);
  return FALSE;
}

gboolean
cvl_cli_apply (int      argc,
               char   **argv,
               GError **error)
{
  ApplyArgs args = { .engine = CVL_ENGINE_AUTO };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *kernel_spec = NULL;
  gboolean gray = FALSE;
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    { "kernel", 'k', 0, G_OPTION_ARG_FILENAME, &kernel_spec,
      N_("A preset id, a generator such as gaussian:sigma=3, a kernel file (text or picture), "
         "or rows of text such as \"0 -1 0; -1 5 -1; 0 -1 0\" (default: identity)"), "KERNEL" },
    { "divisor", 0, 0, G_OPTION_ARG_CALLBACK, on_divisor,
      N_("Divide the weighted sum by X (default: the kernel's own)"), "X" },
    { "offset", 0, 0, G_OPTION_ARG_CALLBACK, on_offset,
      N_("Add X after dividing, on the 0–1 pixel scale"), "X" },
    { "stride", 's', 0, G_OPTION_ARG_CALLBACK, on_stride,
      N_("Step between output pixels, 1–8; NxM is vertical × horizontal"), "N|NxM" },
    { "padding", 'p', 0, G_OPTION_ARG_CALLBACK, on_padding,
      N_("SAME keeps ⌈size / stride⌉, VALID only places the kernel inside"), "same|valid" },
    { "border", 'b', 0, G_OPTION_ARG_CALLBACK, on_border,
      N_("What SAME padding reads outside the image (default: zero)"), "zero|clamp|reflect|wrap" },
    { "dilation", 'd', 0, G_OPTION_ARG_CALLBACK, on_dilation,
      N_("Spacing between kernel taps, 1–8; NxM is vertical × horizontal"), "N|NxM" },
    { "convolve", 0, 0, G_OPTION_ARG_NONE, &args.conv.flip,
      N_("Rotate the kernel 180° (true convolution; default: cross-correlation)"), NULL },
    { "gray", 'g', 0, G_OPTION_ARG_NONE, &gray,
      N_("Convolve the luma only: one output channel"), NULL },
    { "map", 'm', 0, G_OPTION_ARG_CALLBACK, on_map,
      N_("How a PNG shows values outside 0–1 (default: the preset's or generator's, else clamp)"),
      "clamp|abs|normalize|signed" },
    { "engine", 'e', 0, G_OPTION_ARG_CALLBACK, on_engine,
      N_("naive (the reference loops), direct, separable (rank-1 kernels), fft, "
         "or auto (default: the fastest by the cost model)"), "naive|direct|separable|fft|auto" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      N_("Print the output size, the engine that ran and the time taken"), NULL },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group;
  const CvlPresetInfo *preset = NULL;
  const CvlGeneratorInfo *generator = NULL;
  g_autoptr(CvlKernel) kernel = NULL;
  g_autoptr(CvlImage) image = NULL;
  g_autoptr(CvlImage) values = NULL;
  g_autoptr(CvlImage) alpha = NULL;
  const char *in_path, *out_path;
  gboolean npy;
  gint64 start, elapsed;
  CvlEngine engine;
  CvlMap map;

  cvl_conv_options_init (&args.conv);

  context = cvl_cli_context_new ("apply", "IN OUT",
                                 _("Convolve the image IN with a kernel and save the result "
                                   "as OUT: a PNG, or a .npy of the float values."));
  g_option_context_set_description (context,
    _("A kernel is a preset id (see “convolve-cli presets”), a generator with its\n"
      "parameters such as gaussian:sigma=8 or motion:len=40,angle=30 (see “convolve-cli\n"
      "generators”), a picture whose luma becomes the kernel (scaled to sum 1), a text\n"
      "file with one row per line, or rows separated by “;”. Cells are numbers or\n"
      "fractions like 1/16.\n"
      "\n"
      "Pixels are read as value / 255. A .npy holds the result before any --map:\n"
      "[H, W] with --gray, else [H, W, 3]; alpha is not included."));
  group = g_option_group_new ("apply", NULL, NULL, &args, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);

  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc != 3)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("apply takes IN and OUT, got %d file name%s; "
                     "see “convolve-cli apply --help”"), argc - 1, argc == 2 ? "" : "s");
      return FALSE;
    }
  in_path = argv[1];
  out_path = argv[2];

  /* Usage first, files after: nothing is read before the command line is
   * sound, and OUT is only written once the convolution has succeeded. */
  if (!output_format (out_path, &npy, error))
    return FALSE;
  kernel = resolve_kernel (kernel_spec != NULL ? kernel_spec : "identity",
                           &preset, &generator, error);
  if (kernel == NULL)
    return FALSE;
  if (args.divisor != 0.0f && !cvl_kernel_set_divisor (kernel, args.divisor, error))
    return FALSE;
  if (args.has_offset)
    kernel->offset = args.offset;
  args.conv.channels = gray ? CVL_CHANNELS_GRAY : CVL_CHANNELS_RGB;
  map = args.has_map ? args.map
        : preset != NULL ? preset->map
        : generator != NULL ? generator->map
        : CVL_MAP_CLAMP;
  if (!cvl_conv_options_validate (&args.conv, error))
    return FALSE;

  image = cvl_imageio_load (in_path, error);
  if (image == NULL)
    return FALSE;

  engine = cvl_conv_resolve_engine (args.engine, image->height, image->width, gray ? 1 : 3,
                                    kernel, &args.conv);
  start = g_get_monotonic_time ();
  if (!cvl_conv_apply (args.engine, image, kernel, &args.conv, &values, &alpha, NULL, error))
    return FALSE;
  elapsed = g_get_monotonic_time () - start;

  if (npy ? !cvl_npy_save (values, out_path, error)
          : !cvl_imageio_save_png (values, alpha, map, out_path, error))
    return FALSE;

  if (verbose)
    {
      g_autofree char *size = cvl_conv_describe_size (image->height, image->width,
                                                      kernel->height, kernel->width,
                                                      &args.conv);

      g_print ("%s\n%d × %d × %d (H × W × C), kernel %d × %d, %.1f ms\n", size,
               values->height, values->width, values->channels,
               kernel->height, kernel->width, elapsed / 1000.0);
      g_print ("engine: %s", cvl_engine_to_string (engine));
      if (engine != args.engine)
        g_print (" (%s %s)", args.engine == CVL_ENGINE_AUTO ? "picked by" : "instead of",
                 cvl_engine_to_string (args.engine));
      g_print ("\n");
    }
  return TRUE;
}
