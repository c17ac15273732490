#!/usr/bin/env bash
# Set everything up (Debian packages, .venv, pinned packages) and run every check:
# ruff, mypy, import-linter, the non-UI tests with Qt made unimportable, then the Qt tests offscreen.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
PY=.venv/bin/python
export QT_QPA_PLATFORM=offscreen
# The tests run in parallel, one pytest-xdist worker per core (at most 4): every test keeps its
# files in its own tmp_path and each worker gets its own key, log and settings folders (see
# tests/conftest.py), so workers never share a file. TEST_WORKERS=0 runs them in one process.
cores=$(nproc 2>/dev/null || echo 1)
WORKERS=${TEST_WORKERS:-$(( cores < 4 ? cores : 4 ))}
echo "== ruff";          .venv/bin/ruff check .
echo "== mypy";          .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== tests without Qt (domain, storage, services, cli)"
INCIDENT_APP_NO_QT=1 $PY -m pytest -q -p no:pytestqt -p no:pytest-qt -n "$WORKERS" tests/domain tests/storage tests/services tests/cli tests/platform tests/test_user_docs.py tests/test_package_exports.py "$@"
echo "== tests with Qt (ui, adapters, jobs) offscreen"
qt_dirs=()
for d in tests/ui tests/adapters tests/jobs; do [ -d "$d" ] && qt_dirs+=("$d"); done
$PY -m pytest -q -n "$WORKERS" "${qt_dirs[@]}" "$@"
