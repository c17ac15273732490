"""The platform module: console encoding, private files and CJK fonts, with Windows emulated."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

from incident_app.platform_support import cjk_font_families, ensure_utf8_output, is_private, make_private

ROOT = Path(__file__).resolve().parents[2]


def test_a_cp936_stream_is_switched_to_utf8() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp936")
    ensure_utf8_output(stream)
    stream.write("张三 • 🙂")
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "张三 • 🙂"


def test_private_file_on_posix(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("x")
    os.chmod(path, 0o644)
    make_private(path, platform="linux")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and is_private(path, platform="linux")
    with path.open("a") as handle:
        os.chmod(path, 0o644)
        make_private(handle.fileno(), platform="linux")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_windows_is_emulated_without_fchmod(tmp_path: Path, monkeypatch) -> None:
    # Windows before Python 3.13 has no os.fchmod; make_private must not need it there.
    monkeypatch.delattr(os, "fchmod")
    path = tmp_path / "f"
    path.write_text("x")
    with path.open("a") as handle:
        make_private(handle.fileno(), platform="win32")
        make_private(handle.fileno(), platform="linux")  # a POSIX without fchmod: no crash either
    make_private(path, platform="win32")
    assert is_private(path, platform="win32")


def test_fonts_per_platform() -> None:
    assert cjk_font_families("win32")[0] == "Microsoft YaHei" and "SimSun" in cjk_font_families("win32")
    assert cjk_font_families("darwin")[0] == "PingFang SC"
    assert cjk_font_families("linux")[0] == "WenQuanYi Micro Hei"


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=full_env, capture_output=True,
                          check=False, cwd=ROOT)


def test_json_on_a_cp936_pipe_is_utf8(tmp_path: Path) -> None:
    """On Chinese Windows a pipe is cp936; `show` must still print the Chinese JSON (as UTF-8)."""
    db = tmp_path / "d.sqlite3"
    assert _cli("--db", str(db), "demo").returncode == 0
    done = _cli("--db", str(db), "show", "1", PYTHONIOENCODING="cp936")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "个人信息" in done.stdout.decode("utf-8") or "用户" in done.stdout.decode("utf-8")
    assert b"Traceback" not in done.stderr


def test_version_and_a_mistyped_command() -> None:
    from incident_app import __version__

    version = _cli("--version")
    assert version.returncode == 0 and version.stdout.decode().strip() == f"incident-app {__version__}"
    typo = _cli("shwo", "1")
    assert typo.returncode == 2 and b"invalid choice: 'shwo'" in typo.stderr
    assert b"Breach Desk (GUI)" not in typo.stderr  # not the GUI's usage line


def test_ctrl_c_while_the_app_loads_is_a_calm_exit(monkeypatch, capsys) -> None:
    import incident_app.__main__ as entry

    def interrupted(argv=None):
        raise KeyboardInterrupt

    left: list[int] = []
    monkeypatch.setattr(entry, "main", interrupted)
    monkeypatch.setattr(entry, "_leave_now", left.append)  # the real one ends the process at once
    assert entry.run_main() == 130 and left == [130]
    assert capsys.readouterr().err == "incident-app: cancelled; nothing was left half-written\n"
