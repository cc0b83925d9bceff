"""Copies of Ganga objects, slot by slot: what ``copyFrom`` makes, at a sixth of its cost
(a splitter's subjobs, ``submit()``'s one command per item). A value Ganga's own copy treats
specially raises ``Unclonable``: the caller then lets Ganga copy it."""

from __future__ import annotations

import copy
import datetime
import functools
import threading
from typing import Any


class Unclonable(Exception):
    """A value that Ganga's own copy treats specially (shared directories)."""


# Values a copy may share: nothing in them can change.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), datetime.datetime})


def clone(value: Any) -> Any:
    """A copy of a Ganga object as its ``__deepcopy__`` makes it, for a subjob template:
    every schema value copied (the template already holds the defaults of values not
    copyable), parents set, the registry kept. The copy is new, seen by no other thread:
    it is built slot by slot, without the locks every attribute access takes. What each
    class is, is looked up once: ``isinstance`` against Ganga's abstract classes is slow."""
    kind = _kind(type(value))
    if kind is _VALUE:
        return _copied(value)
    if kind is not _OBJECT and kind is not _LIST:
        return value  # immutable
    cls: Any = type(value)
    new = cls.__new__(cls, (), {})  # as Ganga's getNew, without its __init__ chain: the
    new._parent = None  # state that chain makes is the template's own, copied below
    new._lock = threading.RLock()
    new._dirty = False
    new._index_cache_dict = {}
    new._registry = value._registry
    not_copied = _not_copied()
    for key, extra in value.__dict__.items():  # e.g. a Job's cached runtime handler (None)
        if key not in not_copied:  # as Ganga's copy: not its tree, registry or lock
            new.__dict__[key] = _plain_copy(extra)
    data = {}
    for name, shared in _items(cls):
        item = value._data_dict.get(name)
        item_kind = _kind(type(item))
        if item_kind is _IMMUTABLE_KIND:
            data[name] = item
            continue
        if shared:
            raise Unclonable(name)
        data[name] = item = clone(item)
        if item_kind is _OBJECT or item_kind is _LIST:
            item._parent = new
            if item_kind is _LIST:  # as its _setParent: its elements' parent too
                for element in item._data_dict["_list"]:  # not through its lock
                    if _kind(type(element)) in (_OBJECT, _LIST):
                        element._parent = new
    new._data_dict = data
    return new


_IMMUTABLE_KIND, _VALUE, _OBJECT, _LIST = "immutable", "value", "object", "list"
_KINDS: dict[type, str] = {}


def _kind(cls: type) -> str:
    """What clone() does with a value of this class: share it, copy it as a plain value,
    or copy it as a Ganga object (a GangaList: its elements get the parent too)."""
    found = _KINDS.get(cls)
    if found is None:
        from GangaCore.GPIDev.Base.Objects import GangaObject
        from GangaCore.GPIDev.Lib.GangaList.GangaList import GangaList

        if cls in _IMMUTABLE:
            found = _IMMUTABLE_KIND
        elif issubclass(cls, GangaList):
            found = _LIST
        elif issubclass(cls, GangaObject):
            found = _OBJECT
        else:
            found = _VALUE
        _KINDS[cls] = found
    return found


@functools.cache
def _not_copied() -> frozenset[str]:
    from GangaCore.GPIDev.Base.Objects import do_not_copy

    return frozenset(do_not_copy)


def _copied(value: Any) -> Any:
    """A deep copy of a value that is not a Ganga object: a list or dict of immutable
    values copied at once (e.g. a job's timestamps), anything else by ``deepcopy``."""
    if type(value) is dict and all(type(v) in _IMMUTABLE for v in value.values()):
        return dict(value)  # keys of a dict are immutable already
    if type(value) is list and all(type(v) in _IMMUTABLE for v in value):
        return list(value)
    return copy.deepcopy(value)


def _plain_copy(value: Any) -> Any:
    """A copy of a plain value, or of a list or dict of them; anything else is refused
    (Ganga's own copy deals with it: it may point back into the job)."""
    if type(value) in _IMMUTABLE:
        return value
    if type(value) in (list, dict) and all(
        type(x) in _IMMUTABLE for x in (value.values() if isinstance(value, dict) else value)
    ):
        return copy.copy(value)
    raise Unclonable(type(value).__name__)


_ITEMS: dict[type, list[tuple[str, bool]]] = {}


def _items(cls: type) -> list[tuple[str, bool]]:
    """(name, is a shared item) for each schema item of a Ganga class, read once."""
    items = _ITEMS.get(cls)
    if items is None:
        from GangaCore.GPIDev.Schema import SharedItem

        schema: Any = getattr(cls, "_schema")  # noqa: B009
        items = _ITEMS[cls] = [(n, i.isA(SharedItem)) for n, i in schema.allItems()]
    return items
