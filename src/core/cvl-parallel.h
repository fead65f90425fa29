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

G_END_DECLS
