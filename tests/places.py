"""Where the tests find the clone and keep what they leave behind."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# scripts/test gives each lane its own (screenshots, executed notebooks, reports)
ARTIFACTS = Path(os.environ.get("GW_TEST_ARTIFACTS") or ROOT / "test-artifacts")
# Pinned downloads (pip's, npm's) are kept here, fetched once per clone: not in ~/.cache.
SUITE_CACHE = ROOT / "test-artifacts" / "cache"
