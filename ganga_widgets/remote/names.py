"""Every file and directory name of a ``submit()`` run, in one place (the two the worker
writes in each subjob's output directory are the views' too: ``vocabulary.files``)."""

from ..vocabulary.files import CALL_ERROR, CALL_RESULT

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
# In each subjob's output directory, written by the worker: CALL_RESULT and CALL_ERROR.
__all__ = ["CALL_ERROR", "CALL_RESULT"]


def item(index: int) -> str:
    """The file of call ``index`` in ITEMS."""
    return f"{index}.pkl"
