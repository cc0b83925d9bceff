# Shared by scripts/demo and scripts/test: Python interpreters and the project's venvs.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The Python versions the package supports (pyproject's requires-python), newest first.
SUPPORTED_PYTHONS="3.13 3.12 3.11"

# Print an interpreter of exactly Python $1 (e.g. 3.13) that can make a venv, or fail.
# Looks on PATH, then in pyenv's versions (whose shims refuse versions not selected), then
# in Debian's and /usr/local's places.
python_for() {
  local version=$1 candidate
  for candidate in "$(command -v "python$version" 2>/dev/null)" \
      "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/"python$version" \
      "/usr/bin/python$version" "/usr/local/bin/python$version"; do
    [ -x "$candidate" ] || continue
    if "$candidate" -c "import sys, ensurepip, venv
sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))" 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# Print "X.Y", the version of interpreter $1.
version_of() {
  "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# The newest supported interpreter (or $GW_PYTHON, if it is a supported one).
newest_python() {
  local version found
  if [ -n "${GW_PYTHON:-}" ]; then
    version=$(version_of "$GW_PYTHON") || return 1
    case " $SUPPORTED_PYTHONS " in
      *" $version "*) command -v "$GW_PYTHON"; return 0 ;;
    esac
    echo "error: GW_PYTHON=$GW_PYTHON is Python $version; ganga_widgets supports" \
         "${SUPPORTED_PYTHONS// /, }" >&2
    return 1
  fi
  for version in $SUPPORTED_PYTHONS; do
    found=$(python_for "$version") && { echo "$found"; return 0; }
  done
  echo "error: ganga_widgets needs Python ${SUPPORTED_PYTHONS// /, } (with venv); none was" \
       "found. On Debian 12: apt-get install python3.11 python3.11-venv; or set GW_PYTHON" >&2
  return 1
}

# The venv of one Python version: one per version, so the lanes and the demo can share them.
venv_for() {
  echo "$ROOT/.venv-$1"
}

# Run "$@" with its output held back: shown (on stderr) only if it fails.
quietly() {
  local log status=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    cat "$log" >&2
    echo "[ganga_widgets] error: exit status $status from: $*" >&2
  fi
  rm -f "$log"
  return "$status"
}

# Create the venv of interpreter $1 if needed and install the package into it with the
# extras $2 ("[demo]", "[test]") and any further requirements ("htcondor>=24,<25"), unless
# it holds them already (scripts/venv_ready.py). Prints a line for each step it takes; pip's
# own output only if pip fails. The venv is "$(venv_for X.Y)".
ensure_venv() {
  local python=$1 extras=$2 venv
  shift 2
  venv=$(venv_for "$(version_of "$python")")
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" "$ROOT/scripts/venv_ready.py" "$extras" "$@"
  then
    return 0
  fi
  local pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
  if [ ! -x "$venv/bin/python" ]; then
    echo "[ganga_widgets] creating $venv with $python"
    quietly "$python" -m venv "$venv"
    quietly "${pip[@]}" --upgrade pip
  fi
  echo "[ganga_widgets] installing the package$extras${*:+ with $*} into $venv"
  quietly "${pip[@]}" -e "$ROOT$extras" "$@"
  "$venv/bin/python" "$ROOT/scripts/venv_ready.py" --record
}

# Run as root, or through sudo when available.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root (no sudo here)" >&2; return 1; fi
}
