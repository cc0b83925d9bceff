"""The version-1 HTCondor names Ganga 8.7.12's Condor backend uses, built on ``htcondor2``.

HTCondor 25 ships only the version-2 bindings (``htcondor2``, ``classad2``). Ganga's Condor
backend (``GangaCore/Lib/Condor/Condor.py``) imports the version-1 ``htcondor`` and
``classad`` modules and uses exactly the names in ``HTCONDOR_NAMES`` and ``CLASSAD_NAMES``.
They are given here with version-1 behaviour where the two versions differ (HTCondor's own
migration guide lists the differences); any other name fails with an error naming it.
Nothing here imports Ganga: ``ganga_adapter.guards`` hands these modules to Ganga's Condor module.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator
from typing import Any

from .bindings import act_reason

HTCONDOR_NAMES = (
    "Collector",
    "Credd",
    "CredTypes",
    "JobAction",
    "Schedd",
    "Submit",
    "HTCondorException",
    "HTCondorIOError",
)
CLASSAD_NAMES = ("ExprTree",)


class _StandIn(types.ModuleType):
    """A module with only the names given to it; any other fails naming itself."""

    __all__: list[str]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"{self.__name__}.{name} is not available: HTCondor 25 has no version-1 bindings, "
            f"and ganga_widgets gives Ganga's Condor backend only the version-1 names it uses "
            f"({', '.join(self.__all__)}), built on htcondor2. For code that needs more, "
            f"install the version-1 bindings in this environment: pip install 'htcondor<25'"
        )


def modules() -> tuple[types.ModuleType, types.ModuleType]:
    """Stand-ins for the version-1 ``htcondor`` and ``classad`` modules (ImportError if
    htcondor2 is not installed either)."""
    import classad2
    import htcondor2

    class ExprTree(classad2.ExprTree):
        """classad2 trees cannot be combined; version 1's and_/or_ did (Ganga builds its
        monitoring query with them)."""

        def and_(self, other: Any) -> ExprTree:
            return ExprTree(f"({self}) && ({other})")

        def or_(self, other: Any) -> ExprTree:
            return ExprTree(f"({self}) || ({other})")

    class Submit(htcondor2.Submit):
        """Version 1 turned any value into submit-language text with str(); version 2
        accepts only str, int, float, bool and paths (Ganga passes cdf_options as given)."""

        def __init__(self, input: Any = None, **kwargs: Any) -> None:
            if isinstance(input, dict):
                input = {key: _text(value) for key, value in input.items()}
            super().__init__(input, **kwargs)

    class Schedd(htcondor2.Schedd):
        def submit(
            self,
            description: Any,
            count: int = 0,
            spool: bool = False,
            itemdata: Iterable[Any] | None = None,
        ) -> Any:
            """Version 2 writes itemdata into one QUEUE ... FROM table: every item needs
            the first item's keys and text values without newlines; version 1 took each
            dict as it was."""
            if itemdata is None:
                return super().submit(description, count=count, spool=spool)
            return super().submit(description, count=count, spool=spool, itemdata=_table(itemdata))

        def act(self, action: Any, job_spec: Any, reason: str | None = None) -> Any:
            if isinstance(reason, str):
                reason = act_reason(htcondor2, reason)
            return super().act(action, job_spec, reason=reason)

    class Credd:
        """Version 2's Credd() asks the collector for a credd at once and fails in pools
        without one; version 1 waited until it was used. Ganga makes one on every submit
        and uses it only for an AFS token."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._args, self._kwargs = args, kwargs
            self._credd: Any = None

        def __getattr__(self, name: str) -> Any:
            if name.startswith("_"):
                raise AttributeError(name)
            if self._credd is None:
                self._credd = htcondor2.Credd(*self._args, **self._kwargs)
            return getattr(self._credd, name)

    htcondor = _stand_in(
        "htcondor",
        HTCONDOR_NAMES,
        {
            "Collector": htcondor2.Collector,
            "Credd": Credd,
            "CredTypes": htcondor2.CredTypes,
            "JobAction": htcondor2.JobAction,
            "Schedd": Schedd,
            "Submit": Submit,
            # version 2 raises HTCondorException where version 1 raised its subclasses
            "HTCondorException": htcondor2.HTCondorException,
            "HTCondorIOError": htcondor2.HTCondorException,
        },
    )
    classad = _stand_in("classad", CLASSAD_NAMES, {"ExprTree": ExprTree})
    return htcondor, classad


def _stand_in(name: str, names: tuple[str, ...], values: dict[str, Any]) -> types.ModuleType:
    assert set(values) == set(names), "every name Ganga uses, and only those"
    module = _StandIn(name, f"version-1 {name} names for Ganga, built on {name}2")
    module.__all__ = list(names)
    for key, value in values.items():
        setattr(module, key, value)
    return module


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _table(itemdata: Iterable[Any]) -> Iterator[Any]:
    items = list(itemdata)
    if not items or not isinstance(items[0], dict):
        return iter(items)
    keys: dict[str, None] = {}  # every item's keys, in first-seen order
    for item in items:
        keys.update(dict.fromkeys(item))
    rows = []
    for item in items:
        row = {key: _text(item.get(key, "")) for key in keys}
        bad = [key for key, value in row.items() if "\n" in value]
        if bad:
            raise ValueError(
                f"the submit value of {', '.join(bad)} contains a newline, which HTCondor's "
                f"submit language cannot carry for one job of many"
            )
        rows.append(row)
    return iter(rows)
