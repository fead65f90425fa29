/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The quark behind CVL_ERROR, so every core failure lands in one domain the
 * UI and the CLI can recognise. */
#include "cvl-error.h"

G_DEFINE_QUARK (cvl-error-quark, cvl_error)
