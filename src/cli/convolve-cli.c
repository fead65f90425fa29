/* SPDX-License-Identifier: GPL-3.0-or-later */
/* convolve-cli: the Convolve engine without a window. main() picks the
 * subcommand and turns any error into one "convolve-cli: …" line and an
 * exit status; each subcommand parses its own options. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cvl-cli.h"

typedef struct
{
  const char *name;
  const char *summary;
  CvlCliRun   run;
} CvlCliCommand;

static const CvlCliCommand commands[] = {
  { "apply",      N_("Convolve an image with a kernel, save a PNG or a .npy"), cvl_cli_apply },
  { "presets",    N_("List the built-in kernels"),                             cvl_cli_presets },
  { "generators", N_("List the kernel generators and their parameters"),      cvl_cli_generators },
  { "bench",      N_("Time the convolution engines (bench conv)"),             cvl_cli_bench },
  { "train",      N_("Train the lecture's convnet on MNIST"),                  cvl_cli_train },
  { "eval",       N_("A model's test accuracy and confusion matrix"),          cvl_cli_eval },
  { "classify",   N_("Classify pictures of single digits"),                    cvl_cli_classify },
  { "fetch",      N_("Download MNIST or Fashion-MNIST, checksums checked"),    cvl_cli_fetch },
};

GOptionContext *
cvl_cli_context_new (const char *command,
                     const char *parameters,
                     const char *summary)
{
  g_autofree char *prgname = g_strdup_printf ("convolve-cli %s", command);
  GOptionContext *context = g_option_context_new (parameters);

  /* GOption prints the program name in its usage line. */
  g_set_prgname (prgname);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  return context;
}

static void
print_usage (gboolean to_stderr)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append (text,
                   _("Usage:\n"
                     "  convolve-cli COMMAND [OPTION…]\n\n"
                     "The Convolve engine from the command line.\n\n"
                     "Commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-11s %s\n", commands[i].name, _(commands[i].summary));
  g_string_append (text,
                   _("\nOptions:\n"
                     "  -h, --help   Show this help\n"
                     "  --version    Show the version\n\n"
                     "Run “convolve-cli COMMAND --help” for the options of a command.\n"));
  if (to_stderr)
    g_printerr ("%s", text->str);
  else
    g_print ("%s", text->str);
}

static const CvlCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static int
report (const GError *error)
{
  g_autofree char *message = g_strdup (error->message);

  /* One line, whatever the message: scripts read the first line only. */
  g_strdelimit (message, "\r\n", ' ');
  g_printerr ("convolve-cli: %s\n", message);
  return error->domain == G_OPTION_ERROR ? 2 : 1;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const CvlCliCommand *command;
  const char *name;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (TRUE);
      return 2;
    }

  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      /* "help apply" is "apply --help". */
      if (g_str_equal (name, "help") && argc > 2 && find_command (argv[2]) != NULL)
        {
          char *help_argv[] = { argv[2], (char *) "--help", NULL };

          command = find_command (argv[2]);
          return command->run (2, help_argv, &error) ? 0 : report (error);
        }
      print_usage (FALSE);
      return 0;
    }
  if (g_str_equal (name, "--version"))
    {
      g_print ("convolve-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  command = find_command (name);
  if (command == NULL)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("“%s” is not a command; run “convolve-cli --help” for the list"),
                   name);
      return report (error);
    }

  return command->run (argc - 1, argv + 1, &error) ? 0 : report (error);
}
