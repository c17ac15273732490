from __future__ import annotations

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.mail.smtp_settings import SmtpSecurity, SmtpSettings, parse_smtp_settings


def test_valid_settings_round_trip() -> None:
    settings = parse_smtp_settings({"host": "smtp.example.com", "port": 465, "security": "tls", "user": "dpo"})
    assert settings == SmtpSettings("smtp.example.com", 465, SmtpSecurity.TLS, "dpo", "")
    assert parse_smtp_settings(settings.to_dict()) == settings


def test_a_password_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_smtp_settings({"host": "smtp.example.com", "smtp_password": "secret"})
    assert "never stored" in exc.value.problems[0].message


@pytest.mark.parametrize(("data", "field"), [
    ({"port": 0}, "port"), ({"port": "587"}, "port"), ({"security": "ssl"}, "security"),
    ({"port": 465, "security": "starttls"}, "security"), ({"port": 587, "security": "tls"}, "security"),
    ({"host": "smtp example"}, "host"), ({"from_address": "nobody"}, "from_address"),
])
def test_each_problem_names_its_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_smtp_settings(data)
    assert [p.field for p in exc.value.problems] == [field]
