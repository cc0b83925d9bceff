"""``python -m ganga_widgets.export notebook.ipynb``: the command (see ``views.export``)."""

from __future__ import annotations

from .views.export import export_html, main

__all__ = ["export_html", "main"]

if __name__ == "__main__":
    main()
