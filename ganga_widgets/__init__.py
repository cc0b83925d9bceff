"""Live Jupyter widgets for Ganga jobs.

``import ganga_widgets`` does not start Ganga: the first widget, or ``start()``, does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .session import start

__version__ = "0.1.0"
__all__ = ["JobWidget", "start"]

if TYPE_CHECKING:
    from .widgets.job import JobWidget


def __getattr__(name: str) -> Any:
    # Widgets import anywidget and ipywidgets: load them only when asked for.
    if name == "JobWidget":
        from .widgets.job import JobWidget

        return JobWidget
    raise AttributeError(f"module 'ganga_widgets' has no attribute {name!r}")
