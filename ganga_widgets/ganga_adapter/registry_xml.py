"""The XML Ganga 8.7.12's ``VStreamer`` writes for a job, written directly.

Ganga's streamer visits every value through a chain of method calls and several ``print``
calls per line (~1 ms a subjob). This writes the same text, character for character, from
per-class tables read once, into the streamer's own output; whatever it does not know (a
class with an ``accept`` of its own, an unusual value) it hands back to the streamer, at the
level the streamer would be at. tests/test_registry_writes.py compares it with Ganga's own.
"""

from __future__ import annotations

from typing import Any

_INDENTS = [" " * max(n - 1, 0) * 3 for n in range(64)]  # VStreamer.indent() at each level


def _indent(level: int) -> str:
    return _INDENTS[level] if level < len(_INDENTS) else " " * (level - 1) * 3


class Writer:
    """Writes nodes for one VStreamer ``visitor`` (its ``out``, ``selection``, ``level``);
    ``computed(node)`` is called for each node written, for what Ganga's reading of the
    values it does not write does (the caller's ``registry_writes``)."""

    def __init__(self, visitor: Any, fast_accept: Any, computed: Any) -> None:
        from GangaCore.Core.GangaRepository.VStreamer import escape
        from GangaCore.GPIDev.Base.Objects import GangaObject
        from GangaCore.GPIDev.Lib.GangaList.GangaList import GangaList

        self.visitor = visitor
        self.write = visitor.out.write
        self.selection = visitor.selection
        self.fast_accept = fast_accept  # the accept whose classes this writer handles
        self.computed = computed
        self.escape = escape
        self.ganga_object = GangaObject
        self.ganga_list = GangaList

    def node(self, node: Any, level: int) -> None:
        """``node.accept(visitor)`` with the visitor at ``level``."""
        cls = type(node)
        if cls.accept is not self.fast_accept or node._schema is None:
            self._handed_back(lambda: node.accept(self.visitor), level)
            return
        self.computed(node)
        write, at = self.write, level + 1
        write(f"{_indent(at)} {_header(cls)}\n")
        data = node._data_dict
        for kind, name, sequence, getter, transient in visits(cls):
            if transient or (at == 1 and name in self.selection):
                continue  # the streamer's showAttribute: not written
            value = data[name] if not getter and name in data else getattr(node, name)
            if kind == "componentAttribute":
                self._component(name, value, sequence, at + 1)
            else:
                self._simple(name, value, sequence, at + 1)
        write(f"{_indent(at)} </class>\n")

    def _simple(self, name: str, value: Any, sequence: Any, at: int) -> None:
        write = self.write
        write(f'{_indent(at)} <attribute name="{name}"> ')
        if sequence:
            write("\n")
            self._sequence(value, at + 1)
        elif isinstance(value, self.ganga_object):
            write("\n")
            self.optional(value, at + 1)
        else:
            write(f"\n {_indent(at + 1)} <value>{self.escape(repr(value))}</value>\n")
        write(f"{_indent(at)} </attribute>\n")

    def _component(self, name: str, value: Any, sequence: Any, at: int) -> None:
        write = self.write
        write(f'{_indent(at)} <attribute name="{name}">\n')
        if sequence:
            self._sequence(value, at + 1)
        else:
            self.optional(value, at)
        write(f"{_indent(at)} </attribute>\n")

    def _sequence(self, values: Any, at: int) -> None:
        self.write(f"{_indent(at)} <sequence>\n")
        for item in values:
            self.optional(item, at)
        self.write(f"{_indent(at)} </sequence>\n")

    def optional(self, value: Any, level: int) -> None:
        """``visitor.acceptOptional(value)`` with the visitor at ``level``."""
        at = level + 1
        kind = type(value)
        if value is None:
            self.write(f"{_indent(at)} <value>None</value>\n")
        elif kind is str:
            self.write(f"{_indent(at)} <value>{self.escape(repr(value))}</value>\n")
        elif kind is list or kind is tuple:
            self._sequence(value, at)
        elif isinstance(value, self.ganga_object) and not isinstance(value, self.ganga_list):
            self.node(value, at)
        elif kind in (int, float, bool, dict):
            self.write(f"\n {_indent(at)} <value>{self.escape(repr(value))}</value>\n")
        else:  # anything else (a GangaList, a proxy, a str subclass): the streamer's own way
            self._handed_back(lambda: self.visitor.acceptOptional(value), level)

    def _handed_back(self, call: Any, level: int) -> None:
        saved = self.visitor.level
        self.visitor.level = level
        try:
            call()
        finally:
            self.visitor.level = saved


_HEADERS: dict[type, str] = {}


def _header(cls: Any) -> str:
    header = _HEADERS.get(cls)
    if header is None:
        s = cls._schema
        version = f"{s.version.major:d}.{s.version.minor:d}"
        header = f'<class name="{s.name}" version="{version}" category="{s.category}">'
        _HEADERS[cls] = header
    return header


_VISITS: dict[type, list[tuple[str, str, Any, bool, bool]]] = {}


def visits(cls: type) -> list[tuple[str, str, Any, bool, bool]]:
    """What Ganga's ``accept`` visits of a class, in its order: (the visitor's method, name,
    is a sequence, has a getter, is transient), read once."""
    visits = _VISITS.get(cls)
    if visits is None:
        schema: Any = getattr(cls, "_schema")  # noqa: B009
        visits = _VISITS[cls] = [
            (kind, name, item["sequence"], bool(item["getter"]), bool(item["transient"]))
            for kind, items in (
                ("simpleAttribute", schema.simpleItems()),
                ("sharedAttribute", schema.sharedItems()),
                ("componentAttribute", schema.componentItems()),
            )
            for name, item in items
            if item["visitable"]
        ]
    return visits
