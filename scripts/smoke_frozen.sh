#!/usr/bin/env bash
# Frozen-build smoke test: build the PyInstaller one-folder app, then run it from outside the
# checkout: --version, demo, import-people of 25,000 rows (which starts the import helper process
# — the frozen app itself, see services/people/helper_entry.py), notices as PDF, and the GUI
# offscreen. Usage: scripts/smoke_frozen.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/breach-desk-frozen.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
DIST=${1:-$WORK/dist}

echo "== build"
start=$(date +%s)
bash scripts/build_frozen.sh "$DIST" > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log" >&2; exit 1; }
echo "built in $(( $(date +%s) - start )) s, $(du -sh "$DIST/breach-desk" | cut -f1)"
APP="$DIST/breach-desk/incident-app"

cd "$WORK"
export QT_QPA_PLATFORM=offscreen INCIDENT_APP_KEY_DIR="$WORK/keys"
DB="$WORK/frozen.sqlite3"
"$APP" --version
"$APP" --db "$DB" demo > /dev/null
python3 - <<'PY'
import csv
with open("people.csv", "w", newline="", encoding="utf-8") as handle:
    out = csv.writer(handle)
    out.writerow(["用户ID", "姓名", "邮箱", "手机号", "出生日期"])
    for i in range(25_000):
        out.writerow([f"U{i:06d}", f"欧阳{i}", f"u{i}@example.com", f"1380013{i % 10000:04d}", "1990-01-01"])
PY
"$APP" --db "$DB" import-people 1 people.csv --replace > import.json
python3 -c "import json; d = json.load(open('import.json')); assert d['imported'] == 25000, d"
"$APP" --db "$DB" notices 1 --out notices --format pdf > /dev/null 2> notices.err || { cat notices.err >&2; exit 1; }
pdftotext notices/regulator_initial/document.zh-CN.pdf report.txt
grep -q "个人信息" report.txt

echo "== db backup, with the progress bar drawn on a terminal (rich must be in the build)"
"$APP" --db "$DB" db backup --out backup.sqlite3 > backup.json
python3 -c "import json; d = json.load(open('backup.json')); assert d['path'].endswith('backup.sqlite3'), d"
python3 - "$APP" "$DB" <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
proc = subprocess.run([sys.argv[1], "--db", sys.argv[2], "db", "backup", "--out", "tty-backup.sqlite3"],
                      stdout=subprocess.PIPE, stderr=slave, env=os.environ | {"COLUMNS": "40"}, timeout=60)
os.close(slave)
drawn = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    drawn += chunk
text = drawn.decode("utf-8", "replace")
assert proc.returncode == 0 and b'"path"' in proc.stdout, (proc.returncode, text)
assert "Traceback" not in text and "\u2501" in text, text
PY

echo "== the register's helper process (services/register/helper.py): the frozen app started with its flag"
python3 - "$APP" "$DB" <<'PY'
import pickle, struct, subprocess, sys
request = pickle.dumps({"job": "metrics", "args": (), "db": sys.argv[2], "hook": None,
                        "now": "2026-11-20T12:00:00+08:00"})
proc = subprocess.run([sys.argv[1], "--register-helper"], input=struct.pack("<Q", len(request)) + request,
                      capture_output=True, timeout=120)
size = struct.unpack("<Q", proc.stdout[:8])[0]
reply = proc.stdout[8:8 + size]
assert proc.returncode == 0 and len(reply) == size and b"ok" in reply[:40] and b"RegisterMetrics" in reply, \
    (proc.returncode, proc.stderr[-2000:])
PY

echo "== the About box's licences: the libraries' metadata is in the build"
ls "$DIST/breach-desk/_internal" | grep -qi '^pyside6_essentials-.*\.dist-info$'
ls "$DIST/breach-desk/_internal" | grep -qi '^jinja2-.*\.dist-info$'

echo "== GUI offscreen (must still be running after 8 s, with no traceback)"
set +e
timeout 8 "$DIST/breach-desk/breach-desk" --db "$DB" 2> gui.err
code=$?
set -e
if [ "$code" -ne 124 ] || grep -q Traceback gui.err; then
  echo "GUI did not stay up (exit $code):" >&2; cat gui.err >&2; exit 1
fi
echo "frozen smoke test: ok"
