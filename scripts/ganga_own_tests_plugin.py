"""pytest plugin of scripts/ganga_own_tests.py: Ganga's own test harness, with our guards.

Ganga's tests run on the harness of the installed Ganga (``GangaCore.testlib``: each test
starts Ganga on a gangadir of its own and stops it after), loaded here as Ganga's own
conftest loads it. Two changes to it:
- ``--gangadirs DIR``: its gangadirs go under DIR (by default it writes them inside the
  installed package);
- ``--guards``: each time it has started Ganga, ganga_widgets' status hook and guards are
  installed into that running Ganga, as ``ganga_widgets.start()`` installs them
  (``startup.install_guards``; each is installed once per process, then stays).
"""

from __future__ import annotations

from typing import Any

import ganga  # puts GangaCore on sys.path, as Ganga's harness expects
import pytest

del ganga

pytest_plugins = ("GangaCore.testlib.fixtures",)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ganga_widgets")
    group.addoption("--gangadirs", help="the directory of the tests' gangadirs")
    group.addoption("--guards", action="store_true", help="install ganga_widgets' guards")


def pytest_configure(config: pytest.Config) -> None:
    from GangaCore.testlib import GangaUnitTest as harness
    from GangaCore.testlib import fixtures

    place = config.getoption("--gangadirs")
    if not place:
        raise pytest.UsageError("--gangadirs DIR is required")

    def gangadirs_root() -> str:
        return str(place)

    # the harness's gangadir of a test: os.path.join(_getGangaPath(), "gangadir-testing", ...)
    harness._getGangaPath = fixtures._getGangaPath = gangadirs_root
    if not config.getoption("--guards"):
        return
    started = harness.start_ganga

    def start_ganga(*args: Any, **kwargs: Any) -> None:
        started(*args, **kwargs)
        from ganga_widgets.ganga_adapter.startup import install_guards

        install_guards()

    # unittest-style tests call it from the harness's module, the `gpi` fixture its own name
    harness.start_ganga = fixtures.start_ganga = start_ganga
