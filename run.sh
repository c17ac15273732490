#!/usr/bin/env bash
# Set everything up (Debian packages, .venv, pinned packages) and start Breach Desk.
# Extra arguments go to the app, e.g. ./run.sh --db ~/incidents.sqlite3 --lang en
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
exec .venv/bin/python main.py "$@"
