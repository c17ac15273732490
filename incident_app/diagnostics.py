"""The diagnostic log: what a support engineer needs to understand a failure, and never any
personal data.

- One rotating file (1 MB × 3) in the user log folder (platformdirs; ``$INCIDENT_APP_LOG_DIR``
  overrides it), plus ``faulthandler`` writing hard crashes into ``crash.log`` beside it.
- Messages carry command names, ids, counts, durations and exception types. The rule is that
  code never logs a name, an address or a phone number; as a second line of defence every record
  is passed through :func:`scrub`, which replaces anything shaped like an e-mail address, a phone
  number or a resident ID number before it is written (tracebacks included).

Stand-alone like :mod:`incident_app.platform_support`: it imports nothing of the app but the
stand-alone contact patterns (:mod:`incident_app.contact_scrub`)."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import re
from pathlib import Path
from typing import IO

from incident_app.contact_scrub import scrub_contacts

APP_NAME = "breach-desk"
LOG_FILE = "breach-desk.log"
CRASH_FILE = "crash.log"
ENV_LOG_DIR = "INCIDENT_APP_LOG_DIR"
MAX_BYTES = 1_000_000
BACKUPS = 3

# Dates and times (2026-11-20, 2026-11-20T12:00:00+08:00, the log's own 2026-12-02 16:26:11,123)
# keep their shape: a support engineer needs them, and no contact is written like one. They are
# set aside before the contact patterns run, which would otherwise read their digits as a number.
_DATE_TIME = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
                        r"(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)")
_KEPT = "\x00{}\x00"
_state: dict[str, object] = {}


def log_dir() -> Path:
    """Where the diagnostic log lives (created on first use)."""
    override = os.environ.get(ENV_LOG_DIR)
    if override:
        return Path(override)
    import platformdirs  # deferred: only when logging is set up

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path() -> Path:
    """The current log file."""
    return log_dir() / LOG_FILE


def scrub(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers and ID numbers replaced by placeholders
    (the patterns every mask of the app uses: :mod:`incident_app.contact_scrub`); dates and times kept."""
    kept: list[str] = []

    def set_aside(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return _KEPT.format(len(kept) - 1)

    text = _DATE_TIME.sub(set_aside, text.replace("\x00", ""))
    text = scrub_contacts(text, lambda _: "<email>", lambda _: "<number>")
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


class ScrubbingFormatter(logging.Formatter):
    """Formats a record, traceback included, then scrubs the result."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def setup_logging(directory: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Send the ``incident_app`` loggers to the rotating file and turn on ``faulthandler``.
    Returns the log file, or None when the folder cannot be written (the app runs on without a
    log rather than refusing to start). Calling it again is harmless."""
    if "path" in _state:
        return _state["path"]  # type: ignore[return-value]
    folder = directory or log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / LOG_FILE, maxBytes=MAX_BYTES,
                                                       backupCount=BACKUPS, encoding="utf-8")
        crash: IO[str] = (folder / CRASH_FILE).open("a", encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("incident_app")
    root.addHandler(handler)
    root.setLevel(level)
    faulthandler.enable(file=crash)
    _state.update(path=folder / LOG_FILE, handler=handler, crash=crash)
    return folder / LOG_FILE


def stop_logging() -> None:
    """Close the log (tests; the process end does the same)."""
    handler = _state.pop("handler", None)
    if isinstance(handler, logging.Handler):
        logging.getLogger("incident_app").removeHandler(handler)
        handler.close()
    crash = _state.pop("crash", None)
    if crash is not None:
        faulthandler.disable()
        crash.close()  # type: ignore[attr-defined]
    _state.pop("path", None)
