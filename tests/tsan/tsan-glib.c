/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Teaches ThreadSanitizer GLib's synchronisation. Debian's GLib is not built
 * with -fsanitize=thread and locks its GMutex with atomics and futex(2),
 * which TSan cannot see, so every hand-off through GLib would look like a
 * race. LD_PRELOADed in `meson test --setup tsan`, this wraps GLib's locks,
 * conditions, thread pools, tasks and atomic reference counts and tells TSan
 * the happens-before edges they make (__tsan_acquire / __tsan_release on the
 * object's address). It adds edges GLib really makes, no more, so races in
 * Convolve's own code are still reported. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gio/gio.h>
#include <sanitizer/tsan_interface.h>

/* The real function, looked up once. */
#define REAL(ret, name, args)                                             \
  static ret (*real_##name) args;                                         \
  if (G_UNLIKELY (real_##name == NULL))                                   \
    real_##name = (ret (*) args) dlsym (RTLD_NEXT, #name)

/* Weak, so that processes without TSan (Python running the CLI tests) can
 * load this too: it then only passes calls through. */
#pragma weak __tsan_acquire
#pragma weak __tsan_release
#define RELEASE(p) G_STMT_START { if (__tsan_release) __tsan_release ((void *) (p)); } G_STMT_END
#define ACQUIRE(p) G_STMT_START { if (__tsan_acquire) __tsan_acquire ((void *) (p)); } G_STMT_END

/* Function-like macros in the headers; the functions are what is wrapped. */
#undef g_once_init_enter
#undef g_once_init_leave
#undef g_atomic_ref_count_dec

void
g_mutex_lock (GMutex *mutex)
{
  REAL (void, g_mutex_lock, (GMutex *));
  real_g_mutex_lock (mutex);
  ACQUIRE (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  REAL (gboolean, g_mutex_trylock, (GMutex *));
  if (!real_g_mutex_trylock (mutex))
    return FALSE;
  ACQUIRE (mutex);
  return TRUE;
}

void
g_mutex_unlock (GMutex *mutex)
{
  REAL (void, g_mutex_unlock, (GMutex *));
  RELEASE (mutex);
  real_g_mutex_unlock (mutex);
}

void
g_rec_mutex_lock (GRecMutex *mutex)
{
  REAL (void, g_rec_mutex_lock, (GRecMutex *));
  real_g_rec_mutex_lock (mutex);
  ACQUIRE (mutex);
}

gboolean
g_rec_mutex_trylock (GRecMutex *mutex)
{
  REAL (gboolean, g_rec_mutex_trylock, (GRecMutex *));
  if (!real_g_rec_mutex_trylock (mutex))
    return FALSE;
  ACQUIRE (mutex);
  return TRUE;
}

void
g_rec_mutex_unlock (GRecMutex *mutex)
{
  REAL (void, g_rec_mutex_unlock, (GRecMutex *));
  RELEASE (mutex);
  real_g_rec_mutex_unlock (mutex);
}

void
g_rw_lock_writer_lock (GRWLock *lock)
{
  REAL (void, g_rw_lock_writer_lock, (GRWLock *));
  real_g_rw_lock_writer_lock (lock);
  ACQUIRE (lock);
}

void
g_rw_lock_writer_unlock (GRWLock *lock)
{
  REAL (void, g_rw_lock_writer_unlock, (GRWLock *));
  RELEASE (lock);
  real_g_rw_lock_writer_unlock (lock);
}

void
g_rw_lock_reader_lock (GRWLock *lock)
{
  REAL (void, g_rw_lock_reader_lock, (GRWLock *));
  real_g_rw_lock_reader_lock (lock);
  ACQUIRE (lock);
}

void
g_rw_lock_reader_unlock (GRWLock *lock)
{
  REAL (void, g_rw_lock_reader_unlock, (GRWLock *));
  RELEASE (lock);
  real_g_rw_lock_reader_unlock (lock);
}

/* Waiting releases the mutex and takes it again. */
void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  REAL (void, g_cond_wait, (GCond *, GMutex *));
  RELEASE (mutex);
  real_g_cond_wait (cond, mutex);
  ACQUIRE (mutex);
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  gboolean signalled;

  REAL (gboolean, g_cond_wait_until, (GCond *, GMutex *, gint64));
  RELEASE (mutex);
  signalled = real_g_cond_wait_until (cond, mutex, end_time);
  ACQUIRE (mutex);
  return signalled;
}

/* g_once: whoever sees the value set sees what the initialiser wrote. */
gboolean
g_once_init_enter (volatile void *location)
{
  gboolean enter;

  REAL (gboolean, g_once_init_enter, (volatile void *));
  enter = real_g_once_init_enter (location);
  ACQUIRE (location);
  return enter;
}

void
g_once_init_leave (volatile void *location,
                   gsize          result)
{
  REAL (void, g_once_init_leave, (volatile void *, gsize));
  RELEASE (location);
  real_g_once_init_leave (location, result);
}

/* Async queues: a pushed item was written before it was pushed. */
void
g_async_queue_push (GAsyncQueue *queue,
                    gpointer     data)
{
  REAL (void, g_async_queue_push, (GAsyncQueue *, gpointer));
  RELEASE (data);
  real_g_async_queue_push (queue, data);
}

gpointer
g_async_queue_pop (GAsyncQueue *queue)
{
  gpointer data;

  REAL (gpointer, g_async_queue_pop, (GAsyncQueue *));
  data = real_g_async_queue_pop (queue);
  ACQUIRE (data);
  return data;
}

/* Thread pools: the worker sees what was written before the push. */
typedef struct
{
  GFunc    func;
  gpointer user_data;
} PoolFunc;

static void
pool_trampoline (gpointer data,
                 gpointer user_data)
{
  PoolFunc *pf = user_data;

  ACQUIRE (data);
  pf->func (data, pf->user_data);
}

GThreadPool *
g_thread_pool_new (GFunc     func,
                   gpointer  user_data,
                   gint      max_threads,
                   gboolean  exclusive,
                   GError  **error)
{
  /* Leaked on purpose: a pool's function lives as long as the pool. */
  PoolFunc *pf = g_new (PoolFunc, 1);

  REAL (GThreadPool *, g_thread_pool_new, (GFunc, gpointer, gint, gboolean, GError **));
  pf->func = func;
  pf->user_data = user_data;
  return real_g_thread_pool_new (pool_trampoline, pf, max_threads, exclusive, error);
}

gboolean
g_thread_pool_push (GThreadPool *pool,
                    gpointer     data,
                    GError     **error)
{
  REAL (gboolean, g_thread_pool_push, (GThreadPool *, gpointer, GError **));
  RELEASE (data);
  return real_g_thread_pool_push (pool, data, error);
}

/* GTask: the thread function sees the task as set up; whoever takes the
 * result sees what the thread did before returning it. */
static GQuark
task_func_quark (void)
{
  static GQuark q;

  if (q == 0)
    q = g_quark_from_static_string ("cvl-tsan-task-func");
  return q;
}

static void
task_trampoline (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GTaskThreadFunc func = (GTaskThreadFunc) g_object_get_qdata (G_OBJECT (task),
                                                              task_func_quark ());

  ACQUIRE (task);
  func (task, source, task_data, cancellable);
}

void
g_task_run_in_thread (GTask           *task,
                      GTaskThreadFunc  func)
{
  REAL (void, g_task_run_in_thread, (GTask *, GTaskThreadFunc));
  g_object_set_qdata (G_OBJECT (task), task_func_quark (), (gpointer) func);
  RELEASE (task);
  real_g_task_run_in_thread (task, task_trampoline);
}

#define TASK_RETURN(name, params, args)                                   \
  void name params                                                        \
  {                                                                       \
    REAL (void, name, params);                                            \
    RELEASE (task);                                                       \
    real_##name args;                                                     \
  }

TASK_RETURN (g_task_return_pointer,
             (GTask *task, gpointer result, GDestroyNotify notify), (task, result, notify))
TASK_RETURN (g_task_return_boolean, (GTask *task, gboolean result), (task, result))
TASK_RETURN (g_task_return_int, (GTask *task, gssize result), (task, result))
TASK_RETURN (g_task_return_error, (GTask *task, GError *error), (task, error))

gboolean
g_task_return_error_if_cancelled (GTask *task)
{
  REAL (gboolean, g_task_return_error_if_cancelled, (GTask *));
  RELEASE (task);
  return real_g_task_return_error_if_cancelled (task);
}

#define TASK_PROPAGATE(ret, name)                                          \
  ret name (GTask *task, GError **error)                                   \
  {                                                                        \
    ret value;                                                             \
    REAL (ret, name, (GTask *, GError **));                                \
    value = real_##name (task, error);                                     \
    ACQUIRE (task);                                                        \
    return value;                                                          \
  }

TASK_PROPAGATE (gpointer, g_task_propagate_pointer)
TASK_PROPAGATE (gboolean, g_task_propagate_boolean)
TASK_PROPAGATE (gssize, g_task_propagate_int)

/* Atomic reference counts: the last owner frees what the others wrote.
 * Each owner releases before its decrement; the one that reaches zero
 * acquires after it, so it sees every other owner's writes. */
gboolean
g_atomic_ref_count_dec (gatomicrefcount *arc)
{
  gboolean zero;

  REAL (gboolean, g_atomic_ref_count_dec, (gatomicrefcount *));
  RELEASE (arc);
  zero = real_g_atomic_ref_count_dec (arc);
  if (zero)
    ACQUIRE (arc);
  return zero;
}

/* The clear function runs inside the release, in the same thread, only for
 * the last owner: the acquire goes there. */
static GPrivate rc_box_clear_key;

static void
rc_box_clear_trampoline (gpointer mem_block)
{
  GDestroyNotify clear_func = g_private_get (&rc_box_clear_key);

  ACQUIRE (mem_block);
  if (clear_func != NULL)
    clear_func (mem_block);
}

void
g_atomic_rc_box_release_full (gpointer       mem_block,
                              GDestroyNotify clear_func)
{
  gpointer outer = g_private_get (&rc_box_clear_key);

  REAL (void, g_atomic_rc_box_release_full, (gpointer, GDestroyNotify));
  RELEASE (mem_block);
  g_private_set (&rc_box_clear_key, clear_func);
  real_g_atomic_rc_box_release_full (mem_block, rc_box_clear_trampoline);
  g_private_set (&rc_box_clear_key, outer);
}

void
g_atomic_rc_box_release (gpointer mem_block)
{
  g_atomic_rc_box_release_full (mem_block, NULL);
}

/* Main-loop sources handed to another thread's GMainContext. GDBus, for
 * one, makes an idle source in the calling thread, attaches it to the
 * context its "gdbus" thread runs, and that thread dispatches, destroys and
 * frees it; GTask completes a threaded task the same way in reverse. The
 * context's lock orders attach before dispatch, but it is taken inside
 * libglib, out of reach of the wrappers above. So g_source_attach()
 * releases on the source, and the callback, which the dispatching thread
 * looks up before calling it and drops before freeing the source, acquires:
 * g_source_set_callback() is redone here as GLib does it (a ref-counted
 * func, data and notify behind g_source_set_callback_indirect()), with the
 * annotations added. Sources that libglib makes and attaches itself
 * (g_timeout_add(), and g_idle_add() but for the wrapper below) are not
 * seen. */
typedef struct
{
  gint           ref_count;
  GSource       *source;
  GSourceFunc    func;
  gpointer       data;
  GDestroyNotify notify;
} SourceCallback;

static void
source_callback_ref (gpointer cb_data)
{
  SourceCallback *cb = cb_data;

  g_atomic_int_inc (&cb->ref_count);
}

static void
source_callback_unref (gpointer cb_data)
{
  SourceCallback *cb = cb_data;

  RELEASE (cb);
  if (!g_atomic_int_dec_and_test (&cb->ref_count))
    return;
  ACQUIRE (cb);
  ACQUIRE (cb->source);
  if (cb->notify != NULL)
    cb->notify (cb->data);
  g_free (cb);
}

static void
source_callback_get (gpointer     cb_data,
                     GSource     *source,
                     GSourceFunc *func,
                     gpointer    *data)
{
  SourceCallback *cb = cb_data;

  ACQUIRE (cb);
  ACQUIRE (source);
  *func = cb->func;
  *data = cb->data;
}

static GSourceCallbackFuncs source_callback_funcs = {
  source_callback_ref,
  source_callback_unref,
  source_callback_get,
};

void
g_source_set_callback (GSource        *source,
                       GSourceFunc     func,
                       gpointer        data,
                       GDestroyNotify  notify)
{
  SourceCallback *cb;

  g_return_if_fail (source != NULL);
  cb = g_new (SourceCallback, 1);
  cb->ref_count = 1;
  cb->source = source;
  cb->func = func;
  cb->data = data;
  cb->notify = notify;
  RELEASE (cb);
  g_source_set_callback_indirect (source, cb, &source_callback_funcs);
}

/* The context's own tables change under its lock too: attaching from a
 * worker grows the hash table of sources (g_realloc inside libglib) that the
 * next attach, from another worker, grows again. Whoever called in after an
 * attach or an iteration returned saw what it did, so each acquires on the
 * context on the way in and releases on the way out: fewer edges than the
 * lock makes (a call overlapping another misses it), none it does not. */
guint
g_source_attach (GSource      *source,
                 GMainContext *context)
{
  GMainContext *ctx = context != NULL ? context : g_main_context_default ();
  guint id;

  REAL (guint, g_source_attach, (GSource *, GMainContext *));
  RELEASE (source);
  ACQUIRE (ctx);
  id = real_g_source_attach (source, context);
  RELEASE (ctx);
  return id;
}

/* g_idle_add() from a worker (the Train page's preparing thread hands its
 * task back so) makes and attaches its source inside libglib, where the two
 * wrappers above cannot see it: redone with the public calls, as GLib does. */
guint
g_idle_add_full (gint           priority,
                 GSourceFunc    function,
                 gpointer       data,
                 GDestroyNotify notify)
{
  GSource *source = g_idle_source_new ();
  guint id;

  if (priority != G_PRIORITY_DEFAULT_IDLE)
    g_source_set_priority (source, priority);
  g_source_set_callback (source, function, data, notify);
  id = g_source_attach (source, NULL);
  g_source_unref (source);
  return id;
}

guint
g_idle_add (GSourceFunc function,
            gpointer    data)
{
  return g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, function, data, NULL);
}

gboolean
g_main_context_iteration (GMainContext *context,
                          gboolean      may_block)
{
  GMainContext *ctx = context != NULL ? context : g_main_context_default ();
  gboolean dispatched;

  REAL (gboolean, g_main_context_iteration, (GMainContext *, gboolean));
  ACQUIRE (ctx);
  dispatched = real_g_main_context_iteration (context, may_block);
  RELEASE (ctx);
  return dispatched;
}

/* No hook inside these: both annotations go first, which leaves a window
 * (two owners dropping their references at the same moment) where a false
 * report remains possible. */
void
g_object_unref (gpointer object)
{
  REAL (void, g_object_unref, (gpointer));
  RELEASE (object);
  ACQUIRE (object);
  real_g_object_unref (object);
}

/* A GVariant's serialised data lives in a GBytes that libglib frees inside
 * g_variant_unref(), with no call out in between: GDBus's "gdbus" thread
 * dropping a reply whose strings the main thread has read (a method call's
 * result) is ordered by this alone. */
void
g_variant_unref (GVariant *value)
{
  REAL (void, g_variant_unref, (GVariant *));
  if (value != NULL)
    {
      RELEASE (value);
      ACQUIRE (value);
    }
  real_g_variant_unref (value);
}

void
g_bytes_unref (GBytes *bytes)
{
  REAL (void, g_bytes_unref, (GBytes *));
  if (bytes != NULL)
    {
      RELEASE (bytes);
      ACQUIRE (bytes);
    }
  real_g_bytes_unref (bytes);
}
