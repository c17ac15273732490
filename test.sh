#!/usr/bin/env bash
# Set everything up (Debian packages, .venv, pinned packages) and run every check:
# ruff, mypy, import-linter, the non-UI tests with Qt made unimportable, then the Qt tests offscreen.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
PY=.venv/bin/python
export QT_QPA_PLATFORM=offscreen
echo "== ruff";          .venv/bin/ruff check .
echo "== mypy";          .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== tests without Qt (domain, storage, services, cli)"
INCIDENT_APP_NO_QT=1 $PY -m pytest -q -p no:pytestqt -p no:pytest-qt tests/domain tests/storage tests/services tests/cli tests/platform tests/test_user_docs.py tests/test_package_exports.py "$@"
echo "== tests with Qt (ui, adapters, jobs) offscreen"
qt_dirs=()
for d in tests/ui tests/adapters tests/jobs; do [ -d "$d" ] && qt_dirs+=("$d"); done
$PY -m pytest -q "${qt_dirs[@]}" "$@"
