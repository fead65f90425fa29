/* SPDX-License-Identifier: GPL-3.0-or-later */
/* FFTW's planner (fftwf_plan_*, fftwf_destroy_plan, wisdom) is not
 * thread-safe: every caller in the core plans under this one lock. Executing
 * an existing plan (fftwf_execute*) needs no lock. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void cvl_fftw_lock   (void);
void cvl_fftw_unlock (void);

G_END_DECLS
