"""Whether this Python is a Jupyter kernel (rather than a terminal or a script), and which."""

from __future__ import annotations

import os
import re
import sys


def in_kernel() -> bool:
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def kernel_id() -> str:
    """The id Jupyter knows this kernel by, which names its connection file
    (``kernel-<id>.json``); "" outside a kernel. A view compares it with its frontend's
    kernel to know whether it is live or a saved copy (static/lib/live.js)."""
    if not in_kernel():
        return ""
    try:
        from ipykernel.connect import get_connection_file

        name = os.path.basename(get_connection_file())
    except Exception:  # not ipykernel's kernel, or no connection file
        return ""
    found = re.fullmatch(r"kernel-(.+)\.json", name)
    return found.group(1) if found else ""
