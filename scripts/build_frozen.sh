#!/usr/bin/env bash
# Build the one-folder frozen app with PyInstaller into dist/breach-desk/ (about 40 s, ~200 MB).
# The same spec builds the Windows folder on Windows; packaging/windows/breach-desk.iss then turns
# that folder into an installer (see docs/install.md).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${BREACH_DESK_NO_BOOTSTRAP:-}" ] || bash scripts/bootstrap.sh >/dev/null
# Build from THIS checkout (an editable install elsewhere must not leak in).
out=${1:-dist}
PYTHONPATH="$PWD" .venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath "$out" --workpath build/pyinstaller packaging/breach-desk.spec
echo "built $out/breach-desk/"
