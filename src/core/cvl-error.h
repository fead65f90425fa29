/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Convolve's own GError domain: every failure the core reports to the UI or
 * the CLI carries one of these codes and a message fit for a toast. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CVL_ERROR (cvl_error_quark ())

typedef enum
{
  CVL_ERROR_INVALID_ARGUMENT, /* a parameter out of its range */
  CVL_ERROR_PARSE,            /* text that does not parse (kernel cells, CLI syntax) */
  CVL_ERROR_TOO_LARGE,        /* sizes that would overflow or exhaust memory */
  CVL_ERROR_EMPTY_OUTPUT,     /* e.g. VALID padding with a kernel larger than the image */
  CVL_ERROR_CANCELLED,
  CVL_ERROR_IO,
  CVL_ERROR_FORMAT,           /* a file that is not what it claims to be */
} CvlError;

GQuark cvl_error_quark (void);

G_END_DECLS
