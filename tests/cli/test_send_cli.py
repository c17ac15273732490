from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from misbehaving_smtp import OkToDataCommand, RefusesEhlo, SlowAfterData, misbehaving
from smtp_sink import Sink, password_authenticator, start_sink

from incident_app.cli.main import run
from incident_app.services.container import open_services
from incident_app.services.mail.sources import ENV_SOURCE, ENV_SYNTHETIC_COUNT

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = "incident_app.services.mail.sources:synthetic_source_from_env"


@pytest.fixture
def synthetic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SOURCE, SYNTHETIC)
    monkeypatch.setenv(ENV_SYNTHETIC_COUNT, "30")


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def relay(port: int, *extra: str) -> list[str]:
    return ["--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--plain", "--from", "privacy@example.test",
            "--timeout", "2", "--retry-base", "0.05", *extra]


def test_without_people_send_says_what_to_do(capsys: pytest.CaptureFixture[str], db: Path, sink: Sink) -> None:
    code, out, err = cli(capsys, db, "send", "1", *relay(sink.port))
    assert code == 2 and out == "" and "import the people list first" in err and sink.count() == 0


@pytest.mark.usefixtures("synthetic")
def test_send_prints_counts_and_a_second_run_sends_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink
) -> None:
    code, out, err = cli(capsys, db, "send", "1", *relay(sink.port, "--concurrency", "3", "--rate", "500/s"))
    summary = json.loads(out)
    assert code == 0 and summary["outcome"] == "completed"
    assert summary["ledger"]["by_state"]["sent"] == 30 and summary["this_run"]["attempted"] == 30
    assert "━" not in err and "30/30" not in err  # captured stderr is no terminal: no progress bar
    code, out, _ = cli(capsys, db, "send", "1", *relay(sink.port))
    again = json.loads(out)
    assert code == 0 and again["this_run"]["attempted"] == 0 and again["ledger"]["by_state"]["sent"] == 30
    assert sink.count() == 30 and sink.peak_connections <= 3
    code, out, _ = cli(capsys, db, "show", "1")
    assert code == 0 and json.loads(out)["email_delivery"]["by_state"]["sent"] == 30


@pytest.mark.usefixtures("synthetic")
@pytest.mark.parametrize(("flags", "words"), [
    (["--smtp-port", "465", "--starttls"], "port 465 speaks implicit TLS"),
    (["--smtp-port", "587", "--tls"], "port 587 expects STARTTLS"),
    (["--smtp-port", "2525"], "choose --tls, --starttls or --plain"),
    (["--smtp-port", "2525", "--plain", "--user", "me", "--password-env", "X"], "never sent unencrypted"),
])
def test_tls_mode_is_explicit_and_checked(
    capsys: pytest.CaptureFixture[str], db: Path, flags: list[str], words: str
) -> None:
    code, _, err = cli(capsys, db, "send", "1", "--smtp-host", "relay.example.com", "--from", "a@example.com", *flags)
    assert code == 2 and words in err


@pytest.mark.usefixtures("synthetic")
def test_dry_run_writes_eml_files_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, sink: Sink
) -> None:
    out_dir = tmp_path / "eml"
    code, out, _ = cli(capsys, db, "send", "1", "--dry-run", str(out_dir), "--from", "privacy@example.test")
    assert code == 0 and json.loads(out)["written"] == 30
    files = sorted(out_dir.glob("*.eml"))
    assert len(files) == 30 and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert sink.count() == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM send_ledger").fetchone()[0] == 0


@pytest.mark.usefixtures("synthetic")
def test_test_send_goes_to_the_officer_only(capsys: pytest.CaptureFixture[str], db: Path, sink: Sink) -> None:
    code, out, _ = cli(capsys, db, "send", "1", *relay(sink.port), "--test-to", "officer@example.test")
    assert code == 0 and json.loads(out)["test_sent_to"] == "o***r@example.test"
    assert [r.address for r in sink.received] == ["officer@example.test"]
    assert b"Subject: =?utf-8?b?" in sink.received[0].data
    code, _, err = cli(capsys, db, "send", "1", *relay(sink.port), "--test-to", "someone@elsewhere.example")
    assert code == 2 and "only to your own address at example.test" in err and sink.count() == 1


@pytest.mark.usefixtures("synthetic")
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_password_from_env_is_used_and_never_stored(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "S3cret-Pa55-不要泄露"
    sink = Sink()
    controller = start_sink(sink, authenticator=password_authenticator("officer", secret), auth_require_tls=False,
                            auth_required=True)
    login = relay(controller.port, "--user", "officer", "--password-env", "SMTP_PW")
    try:
        monkeypatch.setenv("SMTP_PW", "wrong")
        bad_code, bad_out, bad_err = cli(capsys, db, "send", "1", *login)
        monkeypatch.setenv("SMTP_PW", secret)
        code, out, err = cli(capsys, db, "send", "1", *login)
    finally:
        controller.stop()
    assert bad_code == 1 and "refused the login" in bad_err
    assert json.loads(bad_out)["ledger"]["by_state"]["queued"] == 30
    assert code == 0 and json.loads(out)["ledger"]["by_state"]["sent"] == 30 and sink.count() == 30
    stored = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    assert secret.encode() not in stored and secret not in out + err
    with sqlite3.connect(db) as conn:
        events = list(conn.execute("SELECT type, payload FROM events"))
    assert "send.finished" in {t for t, _ in events} and not any(secret in p for _, p in events)


def _subprocess_send(db: Path, port: int, count: int) -> subprocess.Popen[str]:
    env = os.environ | {ENV_SOURCE: SYNTHETIC, ENV_SYNTHETIC_COUNT: str(count)}
    args = [sys.executable, str(ROOT / "main.py"), "send", "1", "--db", str(db), *relay(port, "--concurrency", "8")]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_mid_send_resumes_without_duplicates_beyond_the_in_flight_rule(db: Path) -> None:
    """SIGKILL while sending, then run again: every notice arrives; a notice arrives twice only if
    its row was 'sending' at the kill (then it is flagged in_doubt and re-sent with the same
    Message-ID) — at most one row per connection (8). The next start reports the rows left."""
    sink = Sink()
    controller = start_sink(sink, reply_delay=0.005)
    try:
        first = _subprocess_send(db, controller.port, 600)
        deadline = time.monotonic() + 60
        while sink.count() < 150 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.communicate()
        with sqlite3.connect(db) as conn:
            in_flight = conn.execute("SELECT count(*) FROM send_ledger WHERE state = 'sending'").fetchone()[0]
            sent_before = conn.execute("SELECT count(*) FROM send_ledger WHERE state = 'sent'").fetchone()[0]
        second = _subprocess_send(db, controller.port, 600)
        out, err = second.communicate(timeout=120)
    finally:
        controller.stop()
    assert first.returncode == -signal.SIGKILL and 0 < sent_before < 600, "the kill must land mid-send"
    assert second.returncode == 0, err
    note = f"note: {in_flight} notice(s) were being sent when an earlier send stopped abruptly"
    assert (note in err) if in_flight else ("stopped abruptly" not in err)
    summary = json.loads(out)
    assert summary["ledger"]["by_state"]["sent"] == 600 and summary["recovered_in_doubt"] == in_flight
    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("SELECT message_id, in_doubt FROM send_ledger"))
    received = sink.message_ids()
    assert set(received) == set(rows)
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    assert all(n == 2 and rows[mid] >= 1 for mid, n in duplicates.items())
    assert sum(1 for v in rows.values() if v) == in_flight <= 8
    assert sum(duplicates.values()) - len(duplicates) <= in_flight


@pytest.mark.usefixtures("synthetic")
def test_a_relay_refusing_the_session_exits_1_names_its_reply_and_leaves_rows_queued(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    with misbehaving(RefusesEhlo) as sink:
        code, out, err = cli(capsys, db, "send", "1", *relay(sink.port))
    assert code == 1 and "554 5.7.1 Client host rejected" in err and "Traceback" not in err
    assert "No recipient was marked failed" in err and "30 notice(s) stay queued" in err
    summary = json.loads(out)
    assert summary["outcome"] == "aborted" and summary["ledger"]["by_state"]["queued"] == 30
    assert summary["ledger"]["by_state"]["failed"] == 0 and summary["ledger"]["fallback"]["sms"] == 0


@pytest.mark.usefixtures("synthetic")
def test_in_doubt_rows_are_reported_and_requeued_from_the_command_line(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink
) -> None:
    with misbehaving(sink=SlowAfterData(delay=1.6)) as slow:
        code, out, err = cli(capsys, db, "send", "1", *relay(slow.port, "--data-timeout", "1"))
    assert code == 0 and json.loads(out)["ledger"]["by_state"]["in_doubt"] == 30
    assert "30 notice(s) are in doubt" in err and "--requeue in_doubt" in err
    with pytest.raises(SystemExit) as refused:
        cli(capsys, db, "send", "1", "--requeue", "sent")
    assert refused.value.code == 2 and "invalid choice: 'sent'" in capsys.readouterr().err
    code, out, _ = cli(capsys, db, "send", "1", "--requeue", "in_doubt", "--requeue", "failed")
    assert code == 0 and json.loads(out) == {"requeued": 30, "by_state": {"failed": 0, "in_doubt": 30},
                                             "fallback_cleared": 0}
    code, out, _ = cli(capsys, db, "send", "1", *relay(sink.port))
    assert code == 0 and json.loads(out)["ledger"]["by_state"]["sent"] == 30 and sink.count() == 30
    with sqlite3.connect(db) as conn:
        (payload,) = conn.execute("SELECT payload FROM events WHERE type = 'send.requeued'").fetchone()
    assert json.loads(payload)["requeued"] == 30


def test_send_help_shows_timeouts_fit_for_real_relays(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run(["send", "--help"])
    out = capsys.readouterr().out
    assert "(60)" in out and "(600;" in out and "--requeue" in out


@pytest.mark.usefixtures("synthetic")
@pytest.mark.parametrize(("option", "value"), [
    ("--data-timeout", "nan"), ("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "0.2"),
    ("--data-timeout", "7200"), ("--retry-base", "-5"), ("--retry-base", "nan"), ("--rate", "1e-300"),
    ("--rate", "nan"), ("--rate", "inf/s"),
])
def test_non_finite_or_out_of_range_pace_values_are_refused_naming_the_option(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink, option: str, value: str
) -> None:
    code, out, err = cli(capsys, db, "send", "1", *relay(sink.port), option, value)
    assert code == 2 and out == "" and f"{option}:" in err, err
    assert sink.count() == 0
    services = open_services(db)
    try:
        assert services.mail.count(1) == 0  # nothing half written: no ledger row
    finally:
        services.close()


@pytest.mark.usefixtures("synthetic")
def test_requeue_with_nothing_to_requeue_prints_zero_counts_and_logs_no_event(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink
) -> None:
    code, _, _ = cli(capsys, db, "send", "1", *relay(sink.port))
    assert code == 0 and sink.count() == 30
    code, out, _ = cli(capsys, db, "send", "1", "--requeue", "failed", "--requeue", "in_doubt")
    assert code == 0 and json.loads(out) == {"requeued": 0, "by_state": {"failed": 0, "in_doubt": 0},
                                             "fallback_cleared": 0}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM events WHERE type = 'send.requeued'").fetchone() == (0,)


@pytest.mark.usefixtures("synthetic")
def test_a_test_send_to_a_relay_answering_250_to_data_is_no_success(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    with misbehaving(OkToDataCommand) as bad:
        code, out, err = cli(capsys, db, "send", "1", *relay(bad.port), "--test-to", "officer@example.test")
    assert code == 1 and out == "" and "instead of 354" in err and bad.count() == 0
