#!/usr/bin/env bash
# Wheel smoke test: build the wheel, install it into a fresh virtual environment OUTSIDE the
# checkout, and run every kind of command from there (so nothing can come from the checkout):
# --version, catalog, demo, notices (HTML and PDF), evidence + verify, and the GUI offscreen.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d /tmp/breach-desk-wheel.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PY=${PYTHON:-python3}

echo "== build the wheel"
.venv/bin/python -m pip wheel -q --no-deps -w "$WORK/dist" "$ROOT"
WHEEL=$(ls "$WORK"/dist/incident_app-*.whl)
"$PY" - "$WHEEL" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for wanted in ("incident_app/resources/catalog.json", "incident_app/resources/i18n/zh-CN.json",
               "incident_app/templates/individual/email.zh-CN.html", "incident_app/templates/_shared/document_sections.zh-CN.html", "incident_app/templates/README.md"):
    assert wanted in names, f"the wheel lacks {wanted}"
PY

echo "== install it into a fresh venv in $WORK"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q "$WHEEL" > "$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log" >&2; exit 1; }

cd "$WORK"  # away from the checkout: only the installed package can answer
export QT_QPA_PLATFORM=offscreen INCIDENT_APP_KEY_DIR="$WORK/keys"
APP="$WORK/venv/bin/incident-app"
DB="$WORK/smoke.sqlite3"
"$WORK/venv/bin/python" - <<'PY'
import incident_app, sys
assert "/venv/" in incident_app.__file__, incident_app.__file__  # the installed copy, not the checkout
PY
"$APP" --version
"$APP" --db "$DB" catalog > catalog.json && grep -q '"id"' catalog.json
"$APP" --db "$DB" demo > /dev/null
"$APP" --db "$DB" notices 1 --out notices --format html,pdf > /dev/null 2> notices.err || { cat notices.err >&2; ls -R notices >&2; }
pdftotext notices/regulator_initial/document.zh-CN.pdf report.txt  # the report rendered as a PDF
grep -q "个人信息" report.txt
"$APP" --db "$DB" evidence 1 --out pack.zip > /dev/null
"$APP" --db "$DB" evidence verify pack.zip > /dev/null
# encryption at rest with the cross-platform sqlcipher3 wheel
BD_PASS="smoke test passphrase" "$APP" db init --encrypt --db enc.sqlite3 --passphrase-env BD_PASS > /dev/null
BD_PASS="smoke test passphrase" "$APP" db status --db enc.sqlite3 --passphrase-env BD_PASS > status.json && grep -q '"encrypted": true' status.json

echo "== GUI offscreen (must still be running after 8 s, with no traceback)"
set +e
timeout 8 "$WORK/venv/bin/breach-desk" --db "$DB" 2> gui.err
code=$?
set -e
if [ "$code" -ne 124 ] || grep -q Traceback gui.err; then
  echo "GUI did not stay up (exit $code):" >&2; cat gui.err >&2; exit 1
fi
echo "wheel smoke test: ok"
