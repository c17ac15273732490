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
INCIDENT_APP_NO_QT=1 $PY -m pytest -q -p no:pytestqt -p no:pytest-qt tests/domain tests/storage tests/services tests/cli "$@"
echo "== tests with Qt (ui, adapters, jobs) offscreen"
# Only the folders that exist yet: pytest fails on a missing path.
QT_TESTS=$(for d in tests/ui tests/adapters tests/jobs; do if [ -d "$d" ]; then echo "$d"; fi; done)
# shellcheck disable=SC2086
$PY -m pytest -q $QT_TESTS "$@"
