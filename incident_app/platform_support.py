"""What differs between Windows, macOS and Linux, in one small module: console encoding, private
files, and the CJK fonts to look for. Nothing else in the app asks which system it runs on.

Windows is a first-class target although CI runs on Linux: each function takes the platform as
an argument with the real one as default, so tests can emulate Windows here."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from pathlib import Path
from typing import TextIO

PRIVATE_MODE = 0o600


def ensure_utf8_output(stream: TextIO | None = None) -> None:
    """Make a console stream write UTF-8 whatever the code page. A pipe on Chinese Windows is
    cp936 and cannot encode every character JSON may carry (e.g. '•', emoji, rare hanzi)."""
    for target in ([stream] if stream is not None else [sys.stdout, sys.stderr]):
        encoding = (getattr(target, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and isinstance(target, io.TextIOWrapper):
            target.reconfigure(encoding="utf-8", errors="strict")


def make_private(fd_or_path: int | str | os.PathLike[str], platform: str = sys.platform) -> None:
    """Restrict a file to its owner: mode 0600 on POSIX. Windows has no ``os.fchmod`` (before
    Python 3.13) and no POSIX modes: there, files live under the user's own profile folder, whose
    ACL already excludes other users, and only the read-only bit is meaningful, so nothing is
    changed."""
    if platform.startswith("win"):
        return
    if isinstance(fd_or_path, int):
        fchmod = getattr(os, "fchmod", None)
        if fchmod is not None:
            fchmod(fd_or_path, PRIVATE_MODE)
        return
    with contextlib.suppress(FileNotFoundError):
        os.chmod(fd_or_path, PRIVATE_MODE)


def is_private(path: str | os.PathLike[str], platform: str = sys.platform) -> bool:
    """Whether only the owner can read the file (always true on Windows, see :func:`make_private`)."""
    if platform.startswith("win"):
        return True
    return stat.S_IMODE(Path(path).stat().st_mode) & 0o077 == 0


def cjk_font_families(platform: str = sys.platform) -> list[str]:
    """Font families that render Chinese, best first, for this platform. WenQuanYi Micro Hei comes
    first where it exists because its PDFs round-trip through text extraction (Noto CJK's do not)."""
    if platform.startswith("win"):
        return ["Microsoft YaHei", "Microsoft YaHei UI", "SimSun", "SimHei", "DengXian"]
    if platform == "darwin":
        return ["PingFang SC", "Hiragino Sans GB", "STHeiti", "Heiti SC", "Songti SC"]
    return ["WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC",
            "Droid Sans Fallback"]
