/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reference counting for a loaded or trained network, so handing one to
 * another page or a worker costs nothing (a 13 MB copy would cost tens of
 * milliseconds of page faults on the main thread). */
#include "config.h"

#include "cvl-net-ref.h"

struct _CvlNetRef
{
  CvlNet *net;
  char   *name;
};

static void
net_ref_clear (gpointer data)
{
  CvlNetRef *ref = data;

  g_clear_pointer (&ref->net, cvl_net_free);
  g_clear_pointer (&ref->name, g_free);
}

CvlNetRef *
cvl_net_ref_new (CvlNet     *net,
                 const char *name)
{
  CvlNetRef *ref;

  g_return_val_if_fail (net != NULL, NULL);
  ref = g_atomic_rc_box_new0 (CvlNetRef);
  ref->net = net;
  ref->name = g_strdup (name != NULL ? name : "");
  return ref;
}

CvlNetRef *
cvl_net_ref_acquire (CvlNetRef *ref)
{
  return g_atomic_rc_box_acquire (ref);
}

void
cvl_net_ref_release (CvlNetRef *ref)
{
  g_atomic_rc_box_release_full (ref, net_ref_clear);
}

CvlNet *
cvl_net_ref_get_net (CvlNetRef *ref)
{
  return ref->net;
}

const char *
cvl_net_ref_get_name (CvlNetRef *ref)
{
  return ref->name;
}

void
cvl_net_ref_set_name (CvlNetRef  *ref,
                      const char *name)
{
  g_free (ref->name);
  ref->name = g_strdup (name != NULL ? name : "");
}
