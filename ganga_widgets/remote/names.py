"""Every file and directory name of a ``submit()`` run, in one place.

Staged beside ``worker.py`` (which loads it from there on the batch node, where ganga_widgets
is not installed), so the kernel and the worker cannot disagree. Standard library only.
"""

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
NAMES = "names.py"  # this file
# In each subjob's output directory, written by the worker:
CALL_RESULT = "gw-result.pkl"  # the value returned (cloudpickle)
CALL_ERROR = "gw-error.json"  # null, or what went wrong as plain data


def item(index: int) -> str:
    """The file of call ``index`` in ITEMS."""
    return f"{index}.pkl"
