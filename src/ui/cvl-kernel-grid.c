/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kernel cells as a grid of entries. Every keystroke re-parses the cell, so the page keeps
 * rendering the last valid kernel while the user is mid-way through "1/1"
 * (the grid marks bad cells; the page decides what to render). */
#include "config.h"

#include <glib/gi18n.h>

#include "cvl-error.h"
#include "cvl-kernel-grid.h"

struct _CvlKernelGrid
{
  GtkWidget  parent_instance;

  GtkWidget *grid;
  GPtrArray *cells;     /* GtkEntry*, row-major [rows, cols] */
  int        rows, cols;
  gboolean   updating;  /* set_kernel() in progress: don't emit */
};

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CvlKernelGrid, cvl_kernel_grid, GTK_TYPE_WIDGET)

GtkWidget *
cvl_kernel_grid_get_cell (CvlKernelGrid *self,
                          int            row,
                          int            col)
{
  g_return_val_if_fail (CVL_IS_KERNEL_GRID (self), NULL);
  if (row < 0 || col < 0 || row >= self->rows || col >= self->cols)
    return NULL;
  return g_ptr_array_index (self->cells, row * self->cols + col);
}

void
cvl_kernel_grid_get_size (CvlKernelGrid *self,
                          int           *rows,
                          int           *cols)
{
  *rows = self->rows;
  *cols = self->cols;
}

/* Parses one cell and marks it; returns FALSE for a bad cell. */
static gboolean
check_cell (GtkWidget *entry,
            float     *value,
            GError   **error)
{
  g_autoptr (GError) local_error = NULL;
  float v = 0;
  gboolean ok = cvl_kernel_parse_cell (gtk_editable_get_text (GTK_EDITABLE (entry)), &v, &local_error);

  if (ok)
    {
      gtk_widget_remove_css_class (entry, "error");
      gtk_widget_set_tooltip_text (entry, NULL);
      if (value != NULL)
        *value = v;
      return TRUE;
    }
  gtk_widget_add_css_class (entry, "error");
  gtk_widget_set_tooltip_text (entry, local_error->message);
  if (error != NULL)
    *error = g_steal_pointer (&local_error);
  return FALSE;
}

CvlKernel *
cvl_kernel_grid_read (CvlKernelGrid *self,
                      GError       **error)
{
  g_autoptr (CvlKernel) kernel = NULL;

  g_return_val_if_fail (CVL_IS_KERNEL_GRID (self), NULL);

  kernel = cvl_kernel_new (self->cols, self->rows, error);
  if (kernel == NULL)
    return NULL;
  for (guint i = 0; i < self->cells->len; i++)
    {
      g_autoptr (GError) cell_error = NULL;

      if (!check_cell (g_ptr_array_index (self->cells, i), &kernel->values[i], &cell_error))
        {
          g_set_error (error, CVL_ERROR, CVL_ERROR_PARSE, _("Row %d, column %d: %s"),
                       (int) i / self->cols + 1, (int) i % self->cols + 1, cell_error->message);
          return NULL;
        }
    }
  return g_steal_pointer (&kernel);
}

gboolean
cvl_kernel_grid_is_valid (CvlKernelGrid *self)
{
  for (guint i = 0; i < self->cells->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (self->cells, i), "error"))
      return FALSE;
  return TRUE;
}

static void
on_cell_changed (GtkEditable   *entry,
                 CvlKernelGrid *self)
{
  if (self->updating)
    return;
  /* Mark this cell at once; the page asks is_valid() before rendering. */
  check_cell (GTK_WIDGET (entry), NULL, NULL);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
focus_cell (CvlKernelGrid *self,
            int            row,
            int            col)
{
  GtkWidget *cell = cvl_kernel_grid_get_cell (self, row, col);

  if (cell != NULL)
    {
      gtk_widget_grab_focus (cell);
      gtk_editable_select_region (GTK_EDITABLE (cell), 0, -1);
    }
}

/* Arrow keys: up/down always move; left/right move when the cursor is
 * already at the start/end of the text (or the whole text is selected). */
static gboolean
on_cell_key (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             CvlKernelGrid         *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GtkEditable *editable = GTK_EDITABLE (entry);
  guint index;
  int row, col, pos, start, end, len;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return FALSE;
  if (!g_ptr_array_find (self->cells, entry, &index))
    return FALSE;
  row = index / self->cols;
  col = index % self->cols;
  pos = gtk_editable_get_position (editable);
  len = g_utf8_strlen (gtk_editable_get_text (editable), -1);
  if (!gtk_editable_get_selection_bounds (editable, &start, &end))
    start = end = pos;

  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_KP_Up:
      focus_cell (self, row - 1, col);
      return TRUE;
    case GDK_KEY_Down: case GDK_KEY_KP_Down:
      focus_cell (self, row + 1, col);
      return TRUE;
    case GDK_KEY_Left: case GDK_KEY_KP_Left:
      if (end > 0 && !(start == 0 && end == len))
        return FALSE;
      focus_cell (self, row, col - 1);
      return TRUE;
    case GDK_KEY_Right: case GDK_KEY_KP_Right:
      if (start < len && !(start == 0 && end == len))
        return FALSE;
      focus_cell (self, row, col + 1);
      return TRUE;
    default:
      return FALSE;
    }
}

static GtkWidget *
make_cell (CvlKernelGrid *self,
           int            row,
           int            col)
{
  GtkWidget *entry = gtk_entry_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();
  g_autofree char *label = g_strdup_printf (_("Kernel row %d, column %d"), row + 1, col + 1);

  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 2);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), 6);
  gtk_editable_set_alignment (GTK_EDITABLE (entry), 0.5);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
  gtk_widget_add_css_class (entry, "kernel-cell");
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_cell_key), self);
  gtk_widget_add_controller (entry, keys);
  g_signal_connect (entry, "changed", G_CALLBACK (on_cell_changed), self);
  return entry;
}

static void
rebuild (CvlKernelGrid *self,
         int            rows,
         int            cols)
{
  for (guint i = 0; i < self->cells->len; i++)
    gtk_grid_remove (GTK_GRID (self->grid), g_ptr_array_index (self->cells, i));
  g_ptr_array_set_size (self->cells, 0);

  self->rows = rows;
  self->cols = cols;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++)
      {
        GtkWidget *cell = make_cell (self, r, c);

        g_ptr_array_add (self->cells, cell);
        gtk_grid_attach (GTK_GRID (self->grid), cell, c, r, 1, 1);
      }
}

void
cvl_kernel_grid_set_kernel (CvlKernelGrid   *self,
                            const CvlKernel *kernel)
{
  g_return_if_fail (CVL_IS_KERNEL_GRID (self));
  g_return_if_fail (kernel != NULL);
  g_return_if_fail (kernel->width <= CVL_KERNEL_MAX_EDIT && kernel->height <= CVL_KERNEL_MAX_EDIT);

  self->updating = TRUE;
  if (kernel->width != self->cols || kernel->height != self->rows)
    rebuild (self, kernel->height, kernel->width);
  for (int i = 0; i < kernel->width * kernel->height; i++)
    {
      GtkWidget *cell = g_ptr_array_index (self->cells, i);
      g_autofree char *text = cvl_kernel_format_cell (kernel->values[i]);

      /* Leave a cell alone if it already says the same number: keeps the
       * caret where the user is typing. */
      float old;
      if (!cvl_kernel_parse_cell (gtk_editable_get_text (GTK_EDITABLE (cell)), &old, NULL)
          || old != kernel->values[i])
        gtk_editable_set_text (GTK_EDITABLE (cell), text);
      check_cell (cell, NULL, NULL);
    }
  self->updating = FALSE;
}

static void
cvl_kernel_grid_dispose (GObject *object)
{
  CvlKernelGrid *self = CVL_KERNEL_GRID (object);

  g_clear_pointer (&self->grid, gtk_widget_unparent);
  g_clear_pointer (&self->cells, g_ptr_array_unref);
  G_OBJECT_CLASS (cvl_kernel_grid_parent_class)->dispose (object);
}

static void
cvl_kernel_grid_class_init (CvlKernelGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cvl_kernel_grid_dispose;

  /* Emitted on every edit; cvl_kernel_grid_is_valid() says whether the
   * cells read as a kernel now. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cvl-kernel-grid");
}

static void
cvl_kernel_grid_init (CvlKernelGrid *self)
{
  g_autoptr (CvlKernel) identity = cvl_kernel_new_identity (3, 3);

  self->cells = g_ptr_array_new ();
  self->grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 4);
  gtk_grid_set_row_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_widget_set_parent (self->grid, GTK_WIDGET (self));
  cvl_kernel_grid_set_kernel (self, identity);
}

GtkWidget *
cvl_kernel_grid_new (void)
{
  return g_object_new (CVL_TYPE_KERNEL_GRID, NULL);
}
