"""Whether this Python is a Jupyter kernel (rather than a terminal or a script), and which."""

from __future__ import annotations

import os
import re
import sys


def in_kernel() -> bool:
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def kernel_id() -> str:
    """The id a Jupyter server knows this kernel by, which names its connection file
    (``kernel-<uuid>.json``); "" outside a kernel, or for a kernel no Jupyter server
    started (nbclient's is a temporary file; a name of another form is no id a frontend is
    known to hold). A view compares it with its frontend's kernel to know whether it is
    live or a saved copy (static/lib/live.js): "" is taken as live, never as a saved copy."""
    if not in_kernel():
        return ""
    try:
        from ipykernel.connect import get_connection_file

        name = os.path.basename(get_connection_file())
    except Exception:  # not ipykernel's kernel, or no connection file
        return ""
    found = re.fullmatch(r"kernel-([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})\.json", name)
    return found.group(1) if found else ""
