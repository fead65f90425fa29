/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LD_PRELOAD shim that makes the disk "full": once CVL_FAIL_WRITE_AFTER
 * bytes have gone to regular files, write() to a regular file fails with
 * ENOSPC (pipes and terminals still work, so error messages get out). A full
 * disk for root too, where permissions would not stop the tests. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

ssize_t write (int fd, const void *buf, size_t count);
ssize_t writev (int fd, const struct iovec *iov, int iovcnt);

static long long budget = -1;   /* bytes regular files may still take */

static int
should_fail (int fd, size_t count)
{
  struct stat st;

  if (budget < 0)
    {
      const char *s = getenv ("CVL_FAIL_WRITE_AFTER");

      budget = s != NULL ? atoll (s) : (long long) 1 << 62;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    return 0;
  if ((long long) count > budget)
    return 1;
  budget -= count;
  return 0;
}

ssize_t
write (int fd, const void *buf, size_t count)
{
  static ssize_t (*real_write) (int, const void *, size_t);

  if (real_write == NULL)
    real_write = (ssize_t (*) (int, const void *, size_t)) dlsym (RTLD_NEXT, "write");
  if (should_fail (fd, count))
    {
      errno = ENOSPC;
      return -1;
    }
  return real_write (fd, buf, count);
}

ssize_t
writev (int fd, const struct iovec *iov, int iovcnt)
{
  static ssize_t (*real_writev) (int, const struct iovec *, int);
  size_t count = 0;

  if (real_writev == NULL)
    real_writev = (ssize_t (*) (int, const struct iovec *, int)) dlsym (RTLD_NEXT, "writev");
  for (int i = 0; i < iovcnt; i++)
    count += iov[i].iov_len;
  if (should_fail (fd, count))
    {
      errno = ENOSPC;
      return -1;
    }
  return real_writev (fd, iov, iovcnt);
}
