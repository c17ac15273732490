"""Benchmark: import N affected people (default 1,000,000) from a generated CSV and compare with a
bare ``sqlite3.executemany`` of the same rows, measured in the same run.

    .venv/bin/python bench/import_people.py [--rows N] [--workdir DIR] [--data DIR] [--keep-db FILE]

``--data DIR`` keeps the generated CSV there (people-N.csv) and reuses it on the next run (10M
rows take a while to generate); ``--keep-db FILE`` keeps the last imported database there for the
other people benchmarks (bench/enquiry_lookup.py --db, bench/people_scale.py --db). The database
size after the import (indexes included) is printed, per million people.

The baseline reads the same file with csv.reader and executemany()s the raw rows into an
unindexed table in one transaction with the same pragmas (WAL, synchronous=NORMAL) — no
validation, no dedupe, no index. Each phase runs in a fresh child process so that its peak
memory is its own; for the import it is the main process plus its normalising helper process,
and its CPU time counts both. Targets: import <= 2.5x baseline (wall-clock), peak < 300 MB.

Peak memory of the process tree is the main process's high-water mark (VmHWM) plus that of each
process it started (sampled from /proc while they run). ru_maxrss of the children is printed
too but overstates: a child started with vfork (subprocess does) reports the PARENT's peak at
the moment it started, ~60 MB here, as its own."""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["用户ID", "姓名", "邮箱", "手机号", "地址", "出生日期", "年龄", "监护人", "监护人邮箱", "监护人手机号",
          "涉及信息", "语言"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国浩然子轩欣怡梓涵一诺宇航思远雨桐"
CITIES = ["上海市浦东新区", "北京市海淀区", "广东省深圳市南山区", "浙江省杭州市西湖区", "四川省成都市武侯区",
          "江苏省南京市鼓楼区", "湖北省武汉市洪山区"]
ROADS = ["碧波路", "中关村大街", "科技园南路", "文三路", "天府大道", "中山路", "珞喻路"]
TYPES = ["phone_number", "phone_number;ip_address", "手机号码、设备标识符（IMEI/OAID/IDFA/MAC 等）",
         "phone_number;device_identifiers;ip_address"]


def realistic_row(i: int, rnd: random.Random) -> list[str]:
    """One person as an export from a user table would show them (with the usual mess)."""
    uid = f"U{i:09d}" if rnd.random() > 0.02 else ""
    name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
    email = f"user{i}.{rnd.randrange(100)}@example.com" if rnd.random() < 0.85 else ""
    if rnd.random() < 0.004:
        email = email.replace("@", "#")  # broken address
    mobile = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
    phone = _phone_style(mobile, rnd) if rnd.random() < 0.93 else ""
    address = f"{rnd.choice(CITIES)}{rnd.choice(ROADS)}{rnd.randrange(1, 999)}号" if rnd.random() < 0.5 else ""
    year = rnd.randint(1950, 2019)
    birth = f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}" if rnd.random() < 0.6 else ""
    if birth and rnd.random() < 0.1:
        birth = birth.replace("-", "/")
    minor = bool(birth) and year >= 2013
    g_name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) if minor else ""
    g_email = f"parent{i}@example.cn" if minor and rnd.random() < 0.5 else ""
    g_phone = f"139{rnd.randrange(10**8):08d}" if minor and rnd.random() < 0.7 else ""
    language = "en" if rnd.random() < 0.03 else "zh-CN"
    return [uid, name, email, phone, address, birth, "", g_name, g_email, g_phone, rnd.choice(TYPES), language]


def _phone_style(mobile: str, rnd: random.Random) -> str:
    roll = rnd.random()
    if roll < 0.8:
        return mobile
    if roll < 0.9:
        return f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    if roll < 0.97:
        return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    return mobile.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def generate(path: Path, rows: int, seed: int = 20261120) -> None:
    """Write the CSV (UTF-8 with BOM, as Excel saves it); ~1% of rows repeat an earlier person."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        recent: list[list[str]] = []
        for i in range(rows):
            if recent and rnd.random() < 0.01:
                writer.writerow(rnd.choice(recent))
                continue
            row = realistic_row(i, rnd)
            writer.writerow(row)
            if i % 97 == 0:
                recent = ([*recent, row])[-1000:]


def peak_mb() -> float:
    """Peak resident memory of this process plus that of its largest child (the import's helper
    process, when it uses one): an upper bound of what the import held at once."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def _hwm_kb(pid: int | str) -> int:
    """VmHWM (peak resident set) of a live process in kB, 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreePeak:
    """Samples the peaks (VmHWM) of this process's children every 50 ms while it runs: the
    import's helper process exits before the import returns, taking its figure with it."""

    def __init__(self) -> None:
        self.children: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        me = str(os.getpid())
        while not self._stop.wait(0.05):
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                except (OSError, IndexError):
                    continue
                if parent == me:
                    pid = int(entry.name)
                    self.children[pid] = max(self.children.get(pid, 0), _hwm_kb(pid))

    def stop_mb(self) -> float:
        """This process's peak plus every child's, in MB (an upper bound of the tree at once)."""
        self._stop.set()
        self._thread.join()
        return (_hwm_kb("self") + sum(self.children.values())) / 1024


def cpu_s() -> float:
    """CPU time (user + system) of this process and its finished children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def run_baseline(csv_path: Path, db_path: Path) -> dict[str, float]:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE people (incident_id, " + ", ".join(f"c{i}" for i in range(len(HEADER))) + ")")
    started, cpu = time.perf_counter(), cpu_s()
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO people VALUES (1, {', '.join('?' * len(HEADER))})", reader)
        conn.execute("COMMIT")
    seconds, cpu = time.perf_counter() - started, cpu_s() - cpu
    rows = conn.execute("SELECT count(*) FROM people").fetchone()[0]
    conn.close()
    return {"seconds": seconds, "cpu": cpu, "rows": rows, "peak_mb": peak_mb()}


def run_import(csv_path: Path, db_path: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from incident_app.services.container import open_services

    services = open_services(db_path)
    incident = services.incidents.create({
        "title": "bench", "discovered_at": "2026-11-20T09:00:00+08:00", "occurred_at": "2026-11-14T09:00:00+08:00",
    })
    tree = TreePeak() if Path("/proc/self/status").exists() else None
    started, cpu = time.perf_counter(), cpu_s()
    result = services.people.import_file(incident.id, csv_path)
    seconds, cpu = time.perf_counter() - started, cpu_s() - cpu
    services.close()
    rusage_mb = peak_mb()
    return {"seconds": seconds, "cpu": cpu, "peak_mb": tree.stop_mb() if tree else rusage_mb,
            "rusage_mb": rusage_mb, "result": result.to_dict(),
            "db_bytes": db_bytes(db_path), "free_pages": _free_pages(db_path)}


def db_bytes(db_path: Path) -> int:
    """The database's size on disk: the file plus its WAL and shared-memory files, if any."""
    return sum(p.stat().st_size for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if p.exists())


def _free_pages(db_path: Path) -> int:
    """Unused pages in the file (what a VACUUM would give back)."""
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    finally:
        conn.close()


def child(phase: str, csv_path: Path, db_path: Path) -> dict[str, object]:
    """Run one phase in a fresh interpreter and return what it printed."""
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--csv", str(csv_path), "--db", str(db_path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each phase; the best is kept")
    parser.add_argument("--data", type=Path, default=None, help="keep/reuse the generated CSV in this folder")
    parser.add_argument("--keep-db", type=Path, default=None, help="keep the last imported database here")
    parser.add_argument("--phase", choices=["baseline", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run = run_baseline if args.phase == "baseline" else run_import
        print(json.dumps(run(args.csv, args.db), ensure_ascii=False))
        return 0
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        return report(Path(tmp), args.rows, args.repeat, args.data, args.keep_db)


def prepared_csv(tmp: Path, rows: int, data: Path | None) -> Path:
    """The generated CSV: reused from ``data`` when an earlier run left it there."""
    csv_path = (data or tmp) / f"people-{rows}.csv"
    if data is not None and csv_path.exists():
        print(f"reusing {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB)")
        return csv_path
    started = time.perf_counter()
    partial = csv_path.with_name(csv_path.name + ".part")
    generate(partial, rows)
    partial.replace(csv_path)
    size_mb = csv_path.stat().st_size / 1e6
    print(f"generated {rows:,} rows ({size_mb:.0f} MB CSV) in {time.perf_counter() - started:.1f} s")
    return csv_path


def report(tmp: Path, rows: int, repeat: int, data: Path | None = None, keep_db: Path | None = None) -> int:
    csv_path = prepared_csv(tmp, rows, data)
    # Alternate the phases and keep each one's best run: other work on the machine only ever
    # slows a run down, so the minimum is the fairest figure for both sides of the ratio.
    bases, imps = [], []
    for attempt in range(repeat):
        bases.append(child("baseline", csv_path, tmp / f"baseline{attempt}.sqlite3"))
        imps.append(child("import", csv_path, tmp / f"import{attempt}.sqlite3"))
        (tmp / f"baseline{attempt}.sqlite3").unlink()
        if keep_db is not None and attempt == repeat - 1:
            (tmp / f"import{attempt}.sqlite3").replace(keep_db)
            continue
        (tmp / f"import{attempt}.sqlite3").unlink()
    base = min(bases, key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
    imp = min(imps, key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
    imp["peak_mb"] = max(float(r["peak_mb"]) for r in imps)  # type: ignore[arg-type]
    imp["rusage_mb"] = max(float(r["rusage_mb"]) for r in imps)  # type: ignore[arg-type]
    print("runs, wall (cpu) s: baseline " + ", ".join(f"{r['seconds']:.2f} ({r['cpu']:.2f})" for r in bases)
          + "; import " + ", ".join(f"{r['seconds']:.2f} ({r['cpu']:.2f})" for r in imps))
    cpu_ratio = min(float(r["cpu"]) for r in imps) / min(float(r["cpu"]) for r in bases)  # type: ignore[arg-type]
    result = imp["result"]
    assert isinstance(result, dict)
    ratio = float(imp["seconds"]) / float(base["seconds"])  # type: ignore[arg-type]
    print(f"baseline  csv.reader + executemany: {base['seconds']:.2f} s, {rows / float(base['seconds']):,.0f} rows/s,"
          f" peak {base['peak_mb']:.0f} MB")
    print(f"import    validate+dedupe+insert:   {imp['seconds']:.2f} s, {rows / float(imp['seconds']):,.0f} rows/s,"  # type: ignore[arg-type]
          f" peak {imp['peak_mb']:.0f} MB")
    print(f"ratio import/baseline: {ratio:.2f}x wall-clock (target <= 2.5x); CPU time, both processes:"
          f" {cpu_ratio:.2f}x; peak memory {imp['peak_mb']:.0f} MB (target < 300 MB; main + helper peaks,"
          f" ru_maxrss own + largest child: {imp['rusage_mb']:.0f} MB)")
    million = max(int(result["people_total"]), 1) / 1e6  # type: ignore[call-overload]
    print(f"database after import (indexes included): {float(imp['db_bytes']) / 1e6:,.0f} MB,"  # type: ignore[arg-type]
          f" {float(imp['db_bytes']) / 1e6 / million:,.0f} MB per million people;"  # type: ignore[arg-type]
          f" {imp['free_pages']} free pages (what VACUUM would give back)"
          f" ; {float(imp['seconds']) / (rows / 1e6):.1f} s per million rows")  # type: ignore[arg-type]
    print("counts: " + json.dumps({k: result[k] for k in ("imported", "duplicates_merged", "rejected_rows",
                                                          "fields_dropped", "warnings", "minors", "unreachable")}))
    ok = ratio <= 2.5 and float(imp["peak_mb"]) < 300  # type: ignore[arg-type]
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
