#!/usr/bin/env bash
# One entry point for a fresh machine:
#   bash tools/dev.sh app [ARGS...]   install, then start the desktop program (default catalogue)
#   bash tools/dev.sh test [ARGS...]  install with test tools, then lint, type-check and run tests
# It makes a virtual environment in .venv, installs into it exactly the versions locked in
# requirements/app.txt or requirements/test.txt (bash tools/lock.sh refreshes them), and installs
# the few system libraries Qt needs when they are missing (with apt-get as root or through sudo;
# otherwise it prints the command).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
shift || true
case "$mode" in
  app|test) ;;
  *) echo "usage: bash tools/dev.sh app|test [args...]" >&2; exit 2 ;;
esac

PYTHON="${PYTHON:-python3}"
VENV=.venv

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "Installing system packages: $*" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is needed as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    # Debian and Ubuntu ship venv separately.
    apt_install python3-venv || { echo "Cannot create a virtual environment: install python3-venv (sudo apt-get install python3-venv)." >&2; exit 1; }
    "$PYTHON" -m venv "$VENV"
  fi
fi

# Exactly the versions in the locks (bash tools/lock.sh refreshes them), each file checked against
# its hash. The build backends come first, from their own lock, so that the project and any
# package published as source only are built without build isolation: nothing is resolved from
# an open range here. The venv's own pip is used as it is (no upgrade: an older pip works too).
lock="requirements/$mode.txt"
stamp="$VENV/.installed-$mode"
digest=$("$VENV/bin/python" -c '
import hashlib, sys
print(hashlib.sha256(b"".join(open(p, "rb").read() for p in sys.argv[1:])).hexdigest())
' pyproject.toml requirements/build.txt "$lock")
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  echo "Installing the program and its libraries into $VENV from $lock ..." >&2
  # Older pips do not match jusText's `lxml[html_clean]` to lxml's `html-clean` extra and warn;
  # harmless, since lxml_html_clean is locked by name.
  pip_quiet() { "$VENV/bin/python" -m pip -q --disable-pip-version-check "$@" 2>&1 | { grep -v -e "^WARNING: Location" -e "does not provide the extra 'html_clean'" || true; }; return "${PIPESTATUS[0]}"; }
  pip_quiet install --require-hashes --only-binary :all: -r requirements/build.txt
  pip_quiet install --require-hashes --no-build-isolation -r "$lock"
  pip_quiet install --no-deps --no-build-isolation -e .
  echo "$digest" >"$stamp"
fi

# Qt's shared libraries need some system libraries that a bare machine may lack.
platform=offscreen
[ "$mode" = app ] && platform=xcb
missing=$("$VENV/bin/python" -m catalog_app.qt_libs --platform "$platform" --packages) || true
if [ -n "$missing" ]; then
  # shellcheck disable=SC2086
  apt_install $missing || { echo "Qt needs these system packages: sudo apt-get install $missing" >&2; exit 1; }
fi

if [ "$mode" = app ]; then
  exec "$VENV/bin/catalog-app" "$@"
fi

# The tests read text from images for real, so they want Tesseract with English and Persian.
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx fas; then
  apt_install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fas \
    || echo "Tesseract OCR is missing: the OCR tests will be skipped (sudo apt-get install tesseract-ocr tesseract-ocr-fas)." >&2
fi

export QT_QPA_PLATFORM=offscreen
export PATH="$PWD/$VENV/bin:$PATH"
echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy"
mypy
echo "== pytest"
exec python -m pytest -n auto "$@"
