"""Whether this Python is a Jupyter kernel (rather than a terminal or a script)."""

from __future__ import annotations

import sys


def in_kernel() -> bool:
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
