"""Moving a database's event-log key to another computer: ``audit export-key FILE`` writes it to a
private file (logged as an export), ``audit import-key FILE`` keeps it on this computer after
checking that it really is this database's key (the chain must verify with it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from incident_app.domain.errors import ValidationError
from incident_app.domain.proof import ChainKeying, ChainKeyMissingError, verify_chain
from incident_app.services.audit.exports import record_export
from incident_app.services.context import AppContext
from incident_app.services.private_files import write_private
from incident_app.storage import chain_key
from incident_app.storage.event_log import open_keying

KEY_FORMAT = "breach-desk-event-log-key/1"
IMPORT_EVENT = "event_log.key_imported"


def export_key(ctx: AppContext, target: Path) -> Path:
    """Write this database's key to ``target`` (mode 0600); raises ChainKeyMissingError without it."""
    keying = ctx.store.events.keying
    if keying.key is None:
        raise ChainKeyMissingError(keying.database_id, keying.key_location)
    body = {"format": KEY_FORMAT, "database_id": keying.database_id, "key": keying.key.hex()}
    written = write_private(target, (json.dumps(body) + "\n").encode("ascii"))
    record_export(ctx, what="event_log_key", where=str(written), count=1, unmasked=False)
    return written


def import_key(ctx: AppContext, source: Path) -> str:
    """Keep the key in ``source`` for this database after checking it; returns where it went.

    Raises ValidationError (exit 2) when the file is not a key, belongs to another database, or
    does not verify this database's event log."""
    database_id, key = _read_key_file(source)
    keying = ctx.store.events.keying
    if database_id != keying.database_id:
        raise ValidationError.single("key file", f"{source} is the key of database {database_id}, "
                                     f"not of this one ({keying.database_id})")
    if keying.key is not None:
        if keying.key == key:
            return "already on this computer"
        raise ValidationError.single("key file", "this computer already holds a different key for this database")
    report = verify_chain(ctx.store.events.iter_all(), ChainKeying(database_id, keying.keyed_from, key))
    if not report.ok:
        raise ValidationError.single("key file", f"{source} does not verify this database's event log "
                                     f"(event {report.first_bad_seq}: {report.reason})")
    where = chain_key.store_key(database_id, key)
    ctx.store.events.keying = open_keying(ctx.store.db)
    with ctx.store.transaction():
        ctx.record(IMPORT_EVENT, "event_log", "main", {"kept_in": "keyring" if "keyring" in where else "file"})
    return where


def _read_key_file(source: Path) -> tuple[str, bytes]:
    try:
        data: Any = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError.single("key file", f"{source}: file not found") from None
    except (OSError, ValueError):
        raise ValidationError.single("key file", f"{source} is not an event-log key file") from None
    if not isinstance(data, dict) or data.get("format") != KEY_FORMAT:
        raise ValidationError.single("key file", f"{source} is not an event-log key file ({KEY_FORMAT})")
    try:
        key = bytes.fromhex(str(data["key"]))
        database_id = str(data["database_id"])
    except (KeyError, ValueError):
        raise ValidationError.single("key file", f"{source}: the key or database id is damaged") from None
    if len(key) != chain_key.KEY_BYTES:
        raise ValidationError.single("key file", f"{source}: the key has the wrong length (damaged)")
    return database_id, key
