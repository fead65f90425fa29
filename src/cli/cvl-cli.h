/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What convolve-cli's subcommands share: the signature main() dispatches to
 * and the option-context set-up. Errors in G_OPTION_ERROR are usage errors
 * (exit status 2); any other error exits with 1. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is the subcommand's name; options and operands follow. */
typedef gboolean (*CvlCliRun) (int      argc,
                               char   **argv,
                               GError **error);

/* A context whose --help reads "convolve-cli COMMAND [OPTION…] PARAMETERS". */
GOptionContext *cvl_cli_context_new (const char *command,
                                     const char *parameters,
                                     const char *summary);

gboolean cvl_cli_apply      (int argc, char **argv, GError **error);
gboolean cvl_cli_presets    (int argc, char **argv, GError **error);
gboolean cvl_cli_generators (int argc, char **argv, GError **error);
gboolean cvl_cli_bench      (int argc, char **argv, GError **error);
gboolean cvl_cli_train      (int argc, char **argv, GError **error);
gboolean cvl_cli_eval       (int argc, char **argv, GError **error);
gboolean cvl_cli_classify   (int argc, char **argv, GError **error);
gboolean cvl_cli_fetch      (int argc, char **argv, GError **error);

G_END_DECLS
