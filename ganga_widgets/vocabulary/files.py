"""The files a job writes that the views read, whoever made the job: names and places.

``submit()``'s worker (``remote/worker.py``) writes CALL_RESULT and CALL_ERROR in each
subjob's output directory. It runs alone on the batch node, where ganga_widgets is not
installed, so it spells them itself; a test holds the two spellings equal.
"""

from __future__ import annotations

import os

from .protocols import GangaJob

CALL_RESULT = "gw-result.pkl"  # the value the call returned (cloudpickle)
CALL_ERROR = "gw-error.json"  # null, or how the call failed, as plain data


def output_file(master: GangaJob, index: int | None, name: str) -> str:
    """``<workspace>/<id>/[<subjob>/]output/<name>``: a file in the output directory of a
    job (``index`` None) or of one of its subjobs, without reading the subjob and without
    making the directory ("" if the job has no workspace)."""
    try:
        outputdir = os.path.normpath(master.getOutputWorkspace(create=False).getPath())
    except Exception:  # no workspace (e.g. a job removed meanwhile)
        return ""
    if index is None:
        return os.path.join(outputdir, name)
    return os.path.join(os.path.dirname(outputdir), str(index), "output", name)
