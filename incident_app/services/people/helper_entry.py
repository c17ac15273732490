"""How the import helper process is started. From a checkout or a wheel it is
``python -m incident_app.services.people.batches``; a frozen build (PyInstaller) has no
interpreter to run ``-m`` with, so the app's own executable is started with :data:`HELPER_FLAG`
and its entry point (``incident_app.__main__``) runs the helper instead of the app."""

from __future__ import annotations

import sys

HELPER_FLAG = "--people-batches-helper"


def helper_command() -> list[str]:
    """The command line that starts one import helper process."""
    if getattr(sys, "frozen", False):
        return [sys.executable, HELPER_FLAG]
    return [sys.executable, "-m", "incident_app.services.people.batches"]
