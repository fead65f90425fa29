/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The process-wide lock around FFTW's planner, shared by the FFT engine and
 * the kernel spectrum so two threads never plan at the same time. */
#include "config.h"

#include "cvl-fftw.h"

static GMutex planner_lock;

void
cvl_fftw_lock (void)
{
  g_mutex_lock (&planner_lock);
}

void
cvl_fftw_unlock (void)
{
  g_mutex_unlock (&planner_lock);
}
