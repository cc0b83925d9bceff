"""Ganga evaluates the strings a user gives it; here only the ones that name a value.

Defect (Ganga 8.7.12): each string set on a Ganga object goes through ``eval`` in its type
checks: ``Proxy.raw_eval`` in the GPI's namespace, then ``TypeCheck.safer_eval`` in its own.
So a job's argument that is a Python expression runs in the user's kernel, twice, as the job
is made: ``Executable(args=["-c", "print('ok')"])`` printed ``ok`` twice into the cell, and
``"__import__('os').remove('results.root')"`` as an argument removes the file.

Ganga evaluates so that a string can name a GPI object (``j.backend = "Local"``,
``"LocalFile('hist.root')"``). Here only that is evaluated: literals, a name, and a call of a
GPI class with literal arguments (nested). Any other string stays the string it is, as Ganga
keeps a string it cannot evaluate.
"""

from __future__ import annotations

import ast
import builtins
from collections import ChainMap
from collections.abc import Mapping
from copy import deepcopy
from inspect import isclass
from typing import Any

_INSTALLED = "_ganga_widgets_values_only"


class NotAValue(Exception):
    """The string is code, not the spelling of a value."""


def value_of(text: str, names: Mapping[str, Any], calls: Mapping[str, Any] | None = None) -> Any:
    """The value ``text`` spells: a literal, one of ``names``, or a call of one of ``calls``
    (classes) with such values as arguments; else NotAValue. Nothing else is run."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as err:
        raise NotAValue(text) from err
    return _value(tree.body, names, calls or {})


def _value(node: ast.AST, names: Mapping[str, Any], calls: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        number = _value(node.operand, names, calls)
        if isinstance(number, (int, float, complex)) and not isinstance(number, bool):
            return -number if isinstance(node.op, ast.USub) else number
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_value(e, names, calls) for e in node.elts if not isinstance(e, ast.Starred)]
        if len(items) == len(node.elts):
            kind = {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)]
            return kind(items)
    elif isinstance(node, ast.Dict) and None not in node.keys:
        return {
            _value(k, names, calls): _value(v, names, calls)
            for k, v in zip(node.keys, node.values, strict=True)
            if k is not None
        }
    elif isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and isclass(calls.get(node.func.id))
        and not any(isinstance(a, ast.Starred) for a in node.args)
        and all(k.arg is not None for k in node.keywords)
    ):
        args = [_value(a, names, calls) for a in node.args]
        kwargs = {str(k.arg): _value(k.value, names, calls) for k in node.keywords}
        return calls[node.func.id](*args, **kwargs)
    raise NotAValue(ast.dump(node)[:80])


def install() -> None:
    """Replace Ganga's two evaluations of strings (idempotent)."""
    from GangaCore.GPIDev import TypeCheck
    from GangaCore.GPIDev.Base import Proxy

    if getattr(Proxy, _INSTALLED, False):
        return

    def raw_eval(val: Any) -> Any:
        # Ganga's raw_eval, but for its eval: the GPI's names, and builtins as eval had them
        # (Ganga spells types by name: "str", "int").
        cache = Proxy._eval_cache
        if val in cache:
            return deepcopy(cache[val])
        try:
            interface = Proxy.getProxyInterface().__dict__
            found = value_of(val, ChainMap(interface, vars(builtins)), interface)
            new_val = found() if isclass(found) else found
        except Exception:  # code, or not a string: kept as given, as Ganga does
            new_val = val
        raw = Proxy.stripProxy(new_val)
        if hasattr(raw, "_auto__init__"):
            raw._auto__init__()
        cache[val] = new_val
        return deepcopy(new_val)

    def safer_eval(text: Any) -> Any:
        # Ganga's safer_eval, whose last resort was eval() in its module's namespace
        found = Proxy.getRuntimeGPIObject(text, True)
        if found is None:
            if len(text) == 0:
                return None
            try:
                return value_of(str(text), vars(builtins))
            except NotAValue:
                return str(text)
        return Proxy.stripProxy(found) if isclass(found) else found

    Proxy.raw_eval = raw_eval
    TypeCheck.safer_eval = safer_eval
    setattr(Proxy, _INSTALLED, True)
