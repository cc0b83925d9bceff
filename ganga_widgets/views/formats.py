"""A rich renderable as plain or ANSI text, as escaped HTML, and as a widget's display
bundle: what a notebook shows where no widget frontend runs, and IPython in a terminal."""

from __future__ import annotations

import io
import sys
from typing import Any

from rich.console import Console, RenderableType

from ..kernel import in_kernel


def to_text(renderable: RenderableType, color: bool = False, width: int = 110) -> str:
    console = Console(
        record=True,
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        file=io.StringIO(),  # only the recording is used
        force_jupyter=False,  # in a kernel, rich would display what it prints as outputs
    )
    console.print(renderable)
    return console.export_text(styles=color)


def to_html(renderable: RenderableType, width: int = 110) -> str:
    """A self-contained, escaped HTML snapshot (inline styles, no scripts)."""
    console = Console(
        record=True,
        width=width,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        force_jupyter=False,
    )
    console.print(renderable)
    return console.export_html(
        inline_styles=True,
        code_format=(
            '<pre style="font-family:ui-monospace,monospace;font-size:12px;line-height:1.3">'
            "{code}</pre>"
        ),
    )


def mimebundle(data: dict[str, Any], renderable: RenderableType) -> dict[str, Any]:
    """A widget's display bundle plus its state as text and as HTML: what a notebook shows
    where no widget frontend runs. In a terminal, the text comes in colour."""
    in_terminal = sys.stdout.isatty() and not in_kernel()
    return {
        **data,
        "text/plain": to_text(renderable, color=in_terminal),
        "text/html": to_html(renderable),
    }
