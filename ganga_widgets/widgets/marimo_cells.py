"""A widget made in a marimo cell is closed when that cell runs again or is deleted.

marimo re-runs cells reactively. On a re-run it closes the old widget's comm (its view goes),
but never calls the widget's ``close()``, and ipywidgets still holds the widget among its
active ones: the old widget would stay subscribed to its job, and its watcher on the
HTCondor event log, for the life of the kernel, sending updates no view receives. So each
widget registers itself with the cell being run, as marimo's own comm does.

marimo's cell lifecycle is internal API (``marimo._runtime``): if it changes, this does
nothing, and an old widget leaks as it would without it; nothing else depends on it.
"""

from __future__ import annotations

import sys
from typing import Any


def close_with_cell(widget: Any) -> bool:
    """Have marimo close ``widget`` when the running cell is re-run or deleted; False when
    no marimo cell is running (Jupyter, a script, a thread of one's own)."""
    if "marimo" not in sys.modules:
        return False
    try:
        from marimo._runtime.cell_lifecycle_item import CellLifecycleItem
        from marimo._runtime.context import get_context

        context = get_context()
        if context.cell_id is None:
            return False
    except Exception:  # not in a marimo runtime, or its internals moved
        return False

    class CloseWithCell(CellLifecycleItem):
        def create(self, context: Any) -> None:
            del context

        def dispose(self, context: Any, deletion: bool) -> bool:
            del context, deletion
            widget.close()
            return True

    context.cell_lifecycle_registry.add(CloseWithCell())
    return True
