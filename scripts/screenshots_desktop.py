"""Whole-screen screenshots of the register, a workspace and the send dialog as an officer sees
them on a real desktop: a window manager (openbox) on an Xvfb screen, windows at the size the app
chooses for that screen (nothing resized by this script), captured with ImageMagick's
``import -window root``. Run once per screen:

    Xvfb :57 -screen 0 1366x768x24 & DISPLAY=:57 openbox &
    DISPLAY=:57 QT_QPA_PLATFORM=xcb .venv/bin/python scripts/screenshots_desktop.py 1366

    Xvfb :58 -screen 0 1920x1080x24 & DISPLAY=:58 openbox &
    DISPLAY=:58 QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.5 .venv/bin/python scripts/screenshots_desktop.py 150
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident_app.app import build_main_window  # noqa: E402
from incident_app.ui.common.qt_translations import install_qt_translator  # noqa: E402
from incident_app.ui.common.style import apply_look  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def settle(seconds: float = 1.2) -> None:
    """Let the window manager map and paint the windows."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def shoot(name: str) -> None:
    settle()
    path = OUT / f"{name}.png"
    # ImageMagick's import, found on PATH: a developer tool on the screenshot machine only.
    subprocess.run([shutil.which("import") or "import", "-window", "root", str(path)], check=True)  # noqa: S603
    print("saved", path.name)


def main(tag: str, lang: str = "zh-CN") -> None:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Breach Desk")
    apply_look(app)
    install_qt_translator(app, lang)
    db = Path(tempfile.mkdtemp()) / "demo.sqlite3"
    window = build_main_window(db, lang, synchronous=True)
    window.errors.interactive = False
    window.show()
    window.load_demo()
    window.table.selectRow(0)
    shoot(f"desktop-{tag}-register")
    workspace = window.open_incident(1)
    workspace.tabs.setCurrentIndex(1)  # the assessment: the fullest tab
    shoot(f"desktop-{tag}-workspace")
    workspace.tabs.setCurrentIndex(5)
    settle(0.5)
    notices = workspace.tab_widgets["notices"]
    notices.open_send_dialog()
    shoot(f"desktop-{tag}-send")
    notices.send_dialog.close()
    workspace.close()
    window.shutdown()
    window.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "1366")
