#!/usr/bin/env bash
# Refreshes the install locks from pyproject.toml; commit the changed files with the change:
#   bash tools/lock.sh                          after editing pyproject.toml: every pin that
#                                               still fits is kept, only what must move moves
#   bash tools/lock.sh --upgrade                every package to its newest allowed release
#   bash tools/lock.sh --upgrade-package NAME   one package (other uv pip compile options too)
# requirements/test.txt locks the program, the test tools and the build backends of
# requirements/build.in; requirements/app.txt the program and those backends, and
# requirements/build.txt the backends alone, all at the same versions. All three are
# universal (Linux, macOS and Windows, Python 3.11 and newer) and carry the sha256 of every
# file, so `bash tools/dev.sh app|test` installs exactly these and nothing else.
# The resolver is uv (`uv pip compile --universal`), installed at the version below into a
# cache folder on first use. It reads the package index (PyPI), so it needs the network.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8
PYTHON="${PYTHON:-python3}"
tool="${XDG_CACHE_HOME:-$HOME/.cache}/catalog-app/uv-$UV_VERSION"
if [ ! -x "$tool/bin/uv" ]; then
  "$PYTHON" -m venv "$tool"
  "$tool/bin/python" -m pip -q --disable-pip-version-check install "uv==$UV_VERSION"
fi

compile() {
  local out=$1
  shift
  # --python-version: the oldest Python that pyproject.toml's requires-python admits.
  "$tool/bin/uv" pip compile --quiet --universal --python-version 3.11 --generate-hashes \
    --custom-compile-command "bash tools/lock.sh" --output-file "$out" "$@"
}

mkdir -p requirements
compile requirements/test.txt pyproject.toml --extra test requirements/build.in "$@"
# uv prefers the versions already in its output file: seeded with the test lock, the other two
# take the very versions the tests pass with.
seeded=$(mktemp)
trap 'rm -f "$seeded"' EXIT
for lock in app build; do
  cp requirements/test.txt "$seeded"
  if [ "$lock" = app ]; then compile "$seeded" pyproject.toml requirements/build.in
  else compile "$seeded" requirements/build.in
  fi
  cp "$seeded" "requirements/$lock.txt"
done
for lock in build app test; do
  echo "requirements/$lock.txt: $(grep -c '^[a-z]' "requirements/$lock.txt") packages"
done
