"""HTCondor's Python bindings (version 2 or 1), and whether this kernel can use HTCondor.

Before anything is submitted, ``problem()`` gives a clear answer to "can this kernel use
HTCondor at all?"; ``value()`` and ``act_reason()`` hide where the two versions differ.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import warnings
from typing import Any

# The bindings' modules, preferred first: version 2 (all HTCondor 25 ships), then version 1.
MODULES = ("htcondor2", "htcondor")


@functools.cache
def installed() -> bool:
    """Whether any of the bindings is installed (found, not imported: that takes a while)."""
    return any(importlib.util.find_spec(name) for name in MODULES)


class CondorUnavailable(RuntimeError):
    """HTCondor cannot be used from this kernel; the message says what is missing."""


@functools.cache
def bindings() -> Any:
    """HTCondor's Python bindings: ``htcondor2`` (the version-2 API, all that HTCondor 25
    ships) when installed, else the version-1 ``htcondor`` of older releases. Only names the
    two share are used here. CondorUnavailable says what to install if neither is there."""
    with warnings.catch_warnings():  # a missing pool configuration is reported by problem()
        warnings.simplefilter("ignore")
        for name in MODULES:
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            if hasattr(module, "Schedd") and hasattr(module, "JobEventLog"):
                return module
    raise CondorUnavailable(
        "HTCondor's Python bindings are not importable in this kernel's environment: "
        "install them with: pip install htcondor"
    )


def value(ad: Any, name: str) -> Any:
    """An attribute of a ClassAd as a plain Python value, None if missing or undefined.
    Evaluated in the ad itself: a version-2 expression carries no scope of its own."""
    if name not in ad:
        return None
    result = ad.eval(name)
    return None if isinstance(result, _classad().Value) else result  # Undefined or Error


@functools.cache
def _classad() -> Any:
    """The ClassAd module that goes with the bindings in use."""
    return importlib.import_module("classad2" if bindings().__name__ == "htcondor2" else "classad")


def _config_source() -> str:
    path = os.environ.get("CONDOR_CONFIG")
    if path and path != "/dev/null":  # importing htcondor sets /dev/null when it finds none
        return f"CONDOR_CONFIG={path}"
    for candidate in ("/etc/condor/condor_config", "/usr/local/etc/condor_config"):
        if os.path.exists(candidate):
            return candidate
    return ""


def problem() -> str | None:
    """Why HTCondor cannot be used from this kernel now, or None if a schedd answers."""
    try:
        htcondor = bindings()
    except CondorUnavailable as err:
        return str(err)
    source = _config_source()
    if not source:
        return (
            "no HTCondor pool is configured for this kernel: CONDOR_CONFIG is not set and "
            "there is no /etc/condor/condor_config. Set CONDOR_CONFIG to your pool's client "
            "configuration before starting Ganga (for this project's test pool: "
            'eval "$(scripts/htcondor-pool env)")'
        )
    try:
        htcondor.Schedd().query(constraint="false", projection=["ClusterId"])
    except htcondor.HTCondorException as err:
        return f"cannot reach an HTCondor schedd with the configuration from {source}: {err}"
    return None


def act_reason(htcondor: Any, reason: str) -> Any:
    """The reason as ``Schedd.act`` of these bindings keeps it: htcondor2 (24 and 25) drops
    a plain string and keeps only a (reason, subcode) pair; version 1 takes the string."""
    return (reason, 0) if htcondor.__name__ == "htcondor2" else reason
