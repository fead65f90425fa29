/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The parallel-for behind cvl-parallel.h: tasks are claimed from an atomic
 * counter, helpers come from one process-wide GThreadPool, and the job is
 * reference-counted so a helper that starts late never touches freed memory. */
#include "config.h"

#include "cvl-parallel.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define BACKGROUND_NICE 10

/* Whether this thread already runs at background priority. */
static GPrivate background_key;

void
cvl_parallel_enter_background (void)
{
  if (g_private_get (&background_key) != NULL)
    return;
  g_private_set (&background_key, GINT_TO_POINTER (1));
#ifdef __linux__
  /* Per-thread on Linux: the "process" a TID names is the thread. */
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), BACKGROUND_NICE);
#endif
}

typedef struct
{
  gatomicrefcount  ref;
  CvlParallelFunc  func;
  gpointer         data;
  GCancellable    *cancellable;
  guint            n_tasks;
  gint             next_task;  /* atomic: the next task to claim */
  gint             n_done;     /* atomic: run or skipped */
  gint             cancelled;  /* atomic */
  gboolean         background; /* the caller runs at background priority */
  GMutex           lock;
  GCond            cond;
} Job;

static Job *
job_ref (Job *job)
{
  g_atomic_ref_count_inc (&job->ref);
  return job;
}

static void
job_unref (Job *job)
{
  if (!g_atomic_ref_count_dec (&job->ref))
    return;

  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static void
job_run (Job *job)
{
  for (;;)
    {
      guint task = (guint) g_atomic_int_add (&job->next_task, 1);

      /* Past the end, `data` may already be gone: touch nothing of it. */
      if (task >= job->n_tasks)
        return;

      if (g_cancellable_is_cancelled (job->cancellable))
        g_atomic_int_set (&job->cancelled, TRUE);
      else
        job->func (job->data, task);

      if ((guint) g_atomic_int_add (&job->n_done, 1) + 1 == job->n_tasks)
        {
          g_mutex_lock (&job->lock);
          g_cond_broadcast (&job->cond);
          g_mutex_unlock (&job->lock);
        }
    }
}

static void
pool_func (gpointer job,
           gpointer user_data)
{
  if (((Job *) job)->background)
    cvl_parallel_enter_background ();
  job_run (job);
  job_unref (job);
}

/* Two pools: a thread once lowered to background priority cannot come back
 * (raising it needs privileges), so foreground work never runs on one. */
static GThreadPool *
get_pool (gboolean background)
{
  static GThreadPool *pools[2];

  if (g_once_init_enter (&pools[background]))
    {
      /* Shared (non-exclusive) threads; -1: as many as concurrent calls need. */
      GThreadPool *new_pool = g_thread_pool_new (pool_func, NULL, -1, FALSE, NULL);

      g_once_init_leave (&pools[background], new_pool);
    }

  return pools[background];
}

gboolean
cvl_parallel_for (guint            n_tasks,
                  guint            n_threads,
                  CvlParallelFunc  func,
                  gpointer         data,
                  GCancellable    *cancellable)
{
  Job *job;
  gboolean completed;
  guint n_helpers;

  g_return_val_if_fail (func != NULL, FALSE);

  if (n_tasks == 0)
    return !g_cancellable_is_cancelled (cancellable);

  job = g_new0 (Job, 1);
  g_atomic_ref_count_init (&job->ref);
  job->func = func;
  job->data = data;
  job->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  job->n_tasks = n_tasks;
  job->background = g_private_get (&background_key) != NULL;
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);

  n_helpers = MIN (MAX (n_threads, 1), n_tasks) - 1;
  for (guint i = 0; i < n_helpers; i++)
    if (!g_thread_pool_push (get_pool (job->background), job_ref (job), NULL))
      {
        job_unref (job);
        break;
      }

  job_run (job);

  g_mutex_lock (&job->lock);
  while ((guint) g_atomic_int_get (&job->n_done) < n_tasks)
    g_cond_wait (&job->cond, &job->lock);
  g_mutex_unlock (&job->lock);

  completed = !g_atomic_int_get (&job->cancelled);
  job_unref (job);

  return completed;
}
