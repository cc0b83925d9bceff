"""Live Jupyter widgets for Ganga jobs, and Python functions run on the batch system.

``import ganga_widgets`` does not start Ganga: the first widget, ``submit()`` or ``start()``
does.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import session as session  # light: Ganga and the bindings are imported when started
from .session import start, take_over

__version__ = "0.1.0"
__all__ = [
    "Args",
    "JobTable",
    "JobWidget",
    "RemoteError",
    "Run",
    "attach",
    "start",
    "submit",
    "take_over",
    "watch",
]

if TYPE_CHECKING:
    from .remote.api import attach, submit
    from .remote.run import RemoteError, Run
    from .remote.staging import Args
    from .views.watch import watch
    from .widgets.job import JobWidget
    from .widgets.table import JobTable

# Loaded on first use: they import anywidget/ipywidgets and cloudpickle.
_LAZY = {
    "JobWidget": ".widgets.job",
    "JobTable": ".widgets.table",
    "Args": ".remote.staging",
    "RemoteError": ".remote.run",
    "Run": ".remote.run",
    "attach": ".remote.api",
    "submit": ".remote.api",
    "watch": ".views.watch",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'ganga_widgets' has no attribute {name!r}")
