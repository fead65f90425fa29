/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small parallel-for over a shared pool of worker threads, used by the
 * direct engine and the display maps. The calling thread works too, so a
 * busy pool only slows a call down and never blocks it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef void (*CvlParallelFunc) (gpointer data,
                                 guint    task);

/* Runs func (data, task) for every task in [0, n_tasks) on up to n_threads
 * threads and returns when all have run. Tasks not yet started when
 * `cancellable` fires are skipped; the result is FALSE then. */
gboolean cvl_parallel_for (guint            n_tasks,
                           guint            n_threads,
                           CvlParallelFunc  func,
                           gpointer         data,
                           GCancellable    *cancellable);

/* Lowers the calling thread's scheduling priority (nice +10, Linux) so an
 * interactive thread beside it stays responsive; pool helpers that work for
 * it, and threads it creates, are lowered too. Cannot be undone (raising
 * priority needs privileges): call it only on worker threads. */
void     cvl_parallel_enter_background (void);

G_END_DECLS
