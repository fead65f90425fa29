/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers for the fuzz targets: fatal warnings and an in-memory file, so the
 * path-taking loaders are fuzzed exactly as they run, without touching the
 * disk. */
#define _GNU_SOURCE
#include "fuzz-common.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int memfd = -1;
static char memfd_path[64];

void
fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_setenv ("G_DEBUG", "fatal-warnings", TRUE);
}

const char *
fuzz_write_file (const uint8_t *data,
                 size_t         size)
{
  size_t done = 0;

  if (memfd < 0)
    {
      memfd = memfd_create ("convolve-fuzz", MFD_CLOEXEC);
      if (memfd < 0)
        g_error ("memfd_create: %s", g_strerror (errno));
      g_snprintf (memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
    }
  if (ftruncate (memfd, 0) != 0 || lseek (memfd, 0, SEEK_SET) != 0)
    g_error ("resetting the fuzz file: %s", g_strerror (errno));
  while (done < size)
    {
      ssize_t n = write (memfd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("writing the fuzz file: %s", g_strerror (errno));
      done += n;
    }
  return memfd_path;
}

char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  return g_strndup ((const char *) data, size);
}

void
fuzz_note (const char   *what,
           const GError *error)
{
  static int verbose = -1;

  if (verbose < 0)
    verbose = g_getenv ("FUZZ_VERBOSE") != NULL;
  if (verbose)
    g_printerr ("%s: %s\n", what, error != NULL ? error->message : "accepted");
}
