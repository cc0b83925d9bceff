# Shared by scripts/demo and scripts/test: the project's virtual environment.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${GW_VENV:-$ROOT/.venv}

# Ganga 8.7.12 supports Python 3.8-3.11: pick such an interpreter.
find_python() {
  local candidate
  for candidate in "${GW_PYTHON:-}" python3.11 python3.10 python3.9 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(not ((3, 9) <= sys.version_info[:2] <= (3, 11)))'; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "error: ganga_widgets needs Python 3.9-3.11 (Ganga 8.7.12 does not support newer);" \
       "install one (e.g. apt-get install python3.11 python3.11-venv) or set GW_PYTHON" >&2
  return 1
}

# Create the venv if needed and install the package with the given extras ("" or "[test]").
ensure_venv() {
  local extras=${1:-}
  if [ ! -x "$VENV/bin/python" ]; then
    local python
    python=$(find_python)
    echo "[ganga_widgets] creating $VENV with $python"
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
  fi
  echo "[ganga_widgets] installing the package${extras:+ with $extras} into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT$extras"
}

# Run as root, or through sudo when available.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root (no sudo here)" >&2; return 1; fi
}
