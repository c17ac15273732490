"""Every way personal data leaves the tool is an ``export.written`` event saying what, where to,
how many and whether unmasked; an unmasked one is also a ``personal_data.unmasked`` event."""

from __future__ import annotations

from pathlib import Path

from proof_helpers import prepared_incident
from smtp_sink import smtp_settings

from incident_app.services.container import Services
from incident_app.services.mail.sources import default_message_source


def exports(services: Services) -> list[tuple[str, str, int, bool]]:
    return [(e.payload["what"], e.payload["where"], e.payload["count"], e.payload["unmasked"])
            for e in services.ctx.store.events.of_types(["export.written"])]


def test_notices_with_personal_emails_and_dry_run_are_logged(
    services: Services, intake: dict[str, object], tmp_path: Path
) -> None:
    incident_id = prepared_incident(services, intake, tmp_path)
    before = len(exports(services))
    services.notices.export(incident_id, tmp_path / "masters", ["html"])
    services.notices.export(incident_id, tmp_path / "letters", ["eml"])
    result = services.mail.dry_run(incident_id, default_message_source(services), smtp_settings(25),
                                   tmp_path / "dry")
    logged = exports(services)[before:]
    assert [(what, unmasked) for what, _, _, unmasked in logged] == [
        ("notices", False), ("notices", True), ("personal_emails_dry_run", True)]
    assert logged[2][1:3] == (str((tmp_path / "dry").resolve()), result.written)
    unmasked = services.ctx.store.events.of_types(["personal_data.unmasked"])
    assert [e.payload["what"] for e in unmasked] == ["notices", "personal_emails_dry_run"]
    assert not any("example.test" in str(e.payload) for e in unmasked)
