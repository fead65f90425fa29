/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every fuzz target shares: the libFuzzer entry points, warnings and
 * criticals made fatal (a g_return_if_fail tripped by input is a bug), and a
 * memory-backed file for the parsers that take a path. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Called by each target's LLVMFuzzerInitialize. */
void        fuzz_init       (void);
/* `data` as the whole content of a file; the returned path (under
 * /proc/self/fd, an in-memory file) stays valid until the next call. */
const char *fuzz_write_file (const uint8_t *data,
                             size_t         size);
/* With FUZZ_VERBOSE set, prints why an input was refused (to check that
 * the seeds get as far as they should). */
void        fuzz_note       (const char    *what,
                             const GError  *error);
/* `data` as a NUL-terminated string (embedded NULs end it early). */
char       *fuzz_strndup    (const uint8_t *data,
                             size_t         size);
