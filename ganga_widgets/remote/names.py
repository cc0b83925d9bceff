"""Every file and directory name of a ``submit()`` run, in one place (the two the worker
writes are its own: it runs alone on the batch node, where ganga_widgets is not installed)."""

from .worker import ERROR as CALL_ERROR
from .worker import RESULT as CALL_RESULT

# <gangadir>/STAGING_PARENT/STAGING_PREFIX*: a run being staged, renamed to RUN_DIR once whole
STAGING_PARENT = "ganga_widgets"
STAGING_PREFIX = "staging-"
# In the job's workspace, beside input/ and output/: removed with the job.
RUN_DIR = "gw-run"
# In RUN_DIR:
META = "meta.json"  # Python, cloudpickle, environment, import path of the kernel
CALL = "call.pkl"  # (fn, kwargs every call gets)
ITEMS = "items"  # <index>.pkl: (args, kwargs) of one call
WORKER = "worker.py"
# In each subjob's output directory, written by the worker: CALL_RESULT (the value returned,
# cloudpickle) and CALL_ERROR (null, or what went wrong as plain data).
__all__ = ["CALL_ERROR", "CALL_RESULT"]


def item(index: int) -> str:
    """The file of call ``index`` in ITEMS."""
    return f"{index}.pkl"
