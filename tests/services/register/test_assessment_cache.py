"""The assessment summary cache (services/register/summary.py): the metrics, register rows and
records it serves are exactly what assessing every incident gives, and every kind of change —
facts, status, people import, decision, fulfilment and its correction, ENISA inputs, notices
sent, the organisation profile, the clock passing a deadline — makes the cached summary of the
incidents it touches stale (a stale grade or deadline in a signed record is the worst defect)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from proof_helpers import import_people, prepared_incident, send_all
from smtp_sink import Sink

from incident_app.domain.incident import IncidentStatus
from incident_app.services.audit.exports import record_export
from incident_app.services.container import Services
from incident_app.services.register.export import build_register, register_metrics
from incident_app.services.register.sources import RegisterSources, records_from_assessment, records_from_cache
from incident_app.services.register.summary import current_keys, fresh_summaries, summaries
from incident_app.services.register.view import cached_details, register_details
from incident_app.services.settings.preferences import save_ui_language

OLD = RegisterSources(records_from_assessment)


def decide(services: Services, incident_id: int, obligation_id: str, status: str, rationale: str,
           met_at: str | None = None) -> None:
    details = {"obligation_id": obligation_id, "status": status} | ({"met_at": met_at} if met_at else {})
    services.decisions.record(incident_id, {"kind": "obligation_status", "rationale": rationale,
                                            "decided_by": "王安全", "details": details})


def varied(services: Services, intake: dict[str, Any], tmp_path: Path, clock: Any, sink: Sink) -> dict[str, int]:
    """Real, drill, closed, overdue, met on time, met late, exempt (not applicable), e-mailed."""
    ids = {"plain": services.incidents.create(intake | {"cause": "attack"}).id}
    ids["drill"] = services.incidents.create(intake | {"title": "演练", "drill": True, "cause": "malware"}).id
    ids["eu"] = services.incidents.create(intake | {"eu_subjects": 4, "occurred_at": "2026-11-19T08:00:00+08:00"}).id
    ids["sent"] = prepared_incident(services, intake | {"title": "已发送"}, tmp_path)
    send_all(services, ids["sent"], sink.port)
    clock.now += timedelta(days=5)  # the 4-hour CAC report of most of them is overdue now
    decide(services, ids["eu"], "pipl57-regulator", "met", "报送省网信办", "2026-11-20T11:00:00+08:00")
    decide(services, ids["eu"], "gdpr33-authority", "met", "DPA portal was down", "2026-11-24T10:00:00+08:00")
    decide(services, ids["eu"], "minors-report", "not_applicable", "测试账号，已核实")
    ids["closed"] = services.incidents.create(intake | {"title": "已结束", "cause": "insider"}).id
    services.incidents.change_status(ids["closed"], IncidentStatus.CLOSED, "处置结束", force=True)
    services.fulfilments.record(ids["closed"], {"obligation_id": "cac-initial-report", "channel": "website_12387",
                                                "done_at": clock.now.isoformat(), "done_by": "王安全"})
    return ids


def same_as_assessing_everything(services: Services) -> None:
    incidents = services.incidents.list()
    assert records_from_cache(services, incidents) == records_from_assessment(services, incidents)
    assert register_metrics(services) == register_metrics(services, OLD)
    assert build_register(services) == build_register(services, OLD)


def test_metrics_rows_and_register_equal_the_old_computation_cold_and_warm(
        services: Services, intake: dict[str, Any], tmp_path: Path, clock: Any, sink: Sink) -> None:
    varied(services, intake, tmp_path, clock, sink)
    services.ctx.store.assessment_cache.clear()
    cold = register_metrics(services)
    assert cold == register_metrics(services, OLD)
    assert len(fresh_summaries(services, current_keys(services))) == 5  # every incident is cached now
    same_as_assessing_everything(services)  # warm
    metrics = register_metrics(services)
    assert metrics.incidents == 4 and metrics.drills_excluded == 1
    assert metrics.obligations_decided > 0 and 0 < (metrics.on_time_share or 0) < 1


def test_a_warm_cache_assesses_nothing(services: Services, intake: dict[str, Any], monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    for n in range(3):
        services.incidents.create(intake | {"title": f"事件 {n}"})
    register_metrics(services)
    assessed: list[int] = []
    real = services.assessment.assess_all
    monkeypatch.setattr(services.assessment, "assess_all",
                        lambda incidents=None: assessed.extend(i.id for i in incidents or []) or real(incidents))
    register_metrics(services)
    assert assessed == []
    services.incidents.update_facts(2, {"affected_people": 50_000})
    register_metrics(services)
    assert assessed == [2]  # only the changed incident


def _facts(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    services.incidents.update_facts(ids["plain"], {"affected_people": 2_000_000, "data_types": ["id_number"]})


def _status(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    services.incidents.change_status(ids["plain"], IncidentStatus.CLOSED, "处置结束", force=True)


def _people(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    import_people(services, ids["plain"], tmp_path)


def _decision(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    decide(services, ids["plain"], "cac-initial-report", "met", "电话报送", clock.now.isoformat())


def _grade_judgement(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    services.decisions.record(ids["plain"], {"kind": "cac_grade_judgement", "rationale": "规模小",
                                             "decided_by": "王安全", "details": {"level": "一般"}})


def _fulfilment_corrected(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    fulfilments = services.fulfilments.active(ids["closed"])
    services.corrections.correct(ids["closed"], "fulfilment", fulfilments[0].id, "filed for another incident", "王安全")


def _notices_sent(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    send_all(services, ids["people"], sink.port)


def _profile(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    services.profile.save({"operator_type": "critical_infrastructure"})


def _enisa(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    services.assessment.save_enisa_inputs(ids["plain"], {"ei": 1, "ei_rationale": "姓名与手机号可直接识别本人"})


def _clock(services: Services, ids: dict[str, int], tmp_path: Path, clock: Any, sink: Sink) -> None:
    clock.now += timedelta(days=40)  # past the GDPR 72 h and the CAC summary report's 30 days


CHANGES: dict[str, Callable[..., None]] = {
    "facts": _facts, "status": _status, "people import": _people, "decision": _decision,
    "grade judgement": _grade_judgement, "fulfilment corrected": _fulfilment_corrected,
    "notices sent": _notices_sent, "profile": _profile, "enisa inputs": _enisa, "clock passes a deadline": _clock,
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_every_kind_of_change_makes_the_summary_stale(
        services: Services, intake: dict[str, Any], tmp_path: Path, clock: Any, sink: Sink, kind: str) -> None:
    ids = {"plain": services.incidents.create(intake | {"eu_subjects": 3}).id}
    ids["people"] = prepared_incident(services, intake | {"title": "有名单"}, tmp_path)
    ids["closed"] = services.incidents.create(intake | {"title": "已结束"}).id
    services.fulfilments.record(ids["closed"], {"obligation_id": "cac-initial-report", "channel": "website_12387",
                                                "done_at": clock.now.isoformat(), "done_by": "王安全"})
    services.incidents.change_status(ids["closed"], IncidentStatus.CLOSED, "处置结束", force=True)
    incidents = services.incidents.list()
    before = {i: (s.records, s.grade_label, s.next_deadline) for i, s in summaries(services, incidents).items()}
    old_rows = register_details(services, list(before))
    keys = current_keys(services)
    CHANGES[kind](services, ids, tmp_path, clock, sink)
    incidents = services.incidents.list()
    fresh = records_from_assessment(services, incidents)
    served = records_from_cache(services, incidents)
    assert served == fresh
    # The change did change something the register shows, so a cache that missed it would fail.
    if kind == "clock passes a deadline":
        assert register_metrics(services) != _metrics_at_old_time(services, clock)
    elif kind == "enisa inputs":  # the severity is not in the register: the summary is recomputed all the same
        assert current_keys(services)[ids["plain"]] != keys[ids["plain"]]
    else:
        assert served != {i: before[i][0] for i in served}
    assert register_details(services, list(before)).keys() == old_rows.keys()
    same_as_assessing_everything(services)


def _metrics_at_old_time(services: Services, clock: Any) -> Any:
    clock.now -= timedelta(days=40)
    try:
        return register_metrics(services, OLD)
    finally:
        clock.now += timedelta(days=40)


def test_the_register_reads_only_fresh_rows_from_the_cache(services: Services, intake: dict[str, Any]) -> None:
    a = services.incidents.create(intake).id
    b = services.incidents.create(intake | {"title": "二"}).id
    services.ctx.store.assessment_cache.clear()  # as after new rules: nothing computed yet
    assert cached_details(services, [a, b]) == {}  # the register shows "…"
    rows = register_details(services, [a, b])
    assert cached_details(services, [a, b]) == rows
    services.ctx.store.db.execute("UPDATE incidents SET facts = json_set(facts, '$.affected_people', 1500000) "
                                  "WHERE id = ?", [b])  # changed by hand: no summary written through
    services.ctx.record("incident.facts_changed", "incident", b, {}, b)
    assert set(cached_details(services, [a, b])) == {a}  # b's grade is not served stale
    assert register_details(services, [b])[b].grade != rows[b].grade


def test_an_open_send_run_is_never_served_from_the_cache(services: Services, intake: dict[str, Any]) -> None:
    incident = services.incidents.create(intake).id
    summaries(services, services.incidents.list())
    services.ctx.store.db.execute(
        "INSERT INTO send_runs (run_id, incident_id, pid, host, started_at, heartbeat_at) VALUES "
        "('r1', ?, 1, 'h', '2026-11-20T12:00:00+08:00', '2026-11-20T12:00:00+08:00')", [incident])
    assert current_keys(services)[incident] is None
    assert fresh_summaries(services, current_keys(services)) == {}


def test_a_database_another_program_is_writing_still_gives_metrics_and_rows(
        services: Services, intake: dict[str, Any], raw_connect: Callable[[], Any]) -> None:
    # A long import in another process holds the write lock for minutes: the register only reads
    # records, so its figures must not fail because the disposable cache cannot be written now.
    a = services.incidents.create(intake).id
    services.ctx.store.assessment_cache.clear()  # as after new rules: every summary to compute
    services.ctx.store.db.execute("PRAGMA busy_timeout=100")  # the test need not wait 10 s per try
    with closing(raw_connect()) as other:
        other.isolation_level = None
        other.execute("BEGIN IMMEDIATE")
        try:
            assert register_metrics(services) == register_metrics(services, OLD)
            assert register_details(services, [a])[a].assessed
        finally:
            other.execute("ROLLBACK")
    assert fresh_summaries(services, current_keys(services)) == {}  # nothing was stored meanwhile
    register_metrics(services)
    assert set(fresh_summaries(services, current_keys(services))) == {a}  # stored once it can be


def test_exports_and_settings_the_assessment_does_not_read_keep_every_summary(
        services: Services, intake: dict[str, Any]) -> None:
    # A register export, a backup, the window's language or the SMTP relay change no assessment:
    # 10,000 summaries are not thrown away for them (7.6 s of assessing at the next refresh).
    for n in range(2):
        services.incidents.create(intake | {"title": f"事件 {n}"})
    register_metrics(services)
    keys = current_keys(services)
    record_export(services.ctx, what="register", where="stdout", count=2, unmasked=False)
    save_ui_language(services, "en")
    services.profile.set_actor("李四")
    assert current_keys(services) == keys
    assert len(fresh_summaries(services, keys)) == 2
    services.profile.save({"operator_type": "critical_infrastructure"})  # this one is read
    assert all(current_keys(services)[i] != k for i, k in keys.items())


def test_a_change_committed_after_the_caller_read_the_incident_is_never_stored_under_the_new_key(
        services: Services, intake: dict[str, Any]) -> None:
    # The register loads a batch of incidents, then another process changes one of them before
    # the summaries are computed: the summary stored under the new key must be of the new facts.
    a = services.incidents.create(intake).id
    loaded = services.incidents.list()
    services.incidents.update_facts(a, {"affected_people": 2_000_000, "data_types": ["id_number"]})
    summaries(services, loaded)
    incidents = services.incidents.list()
    assert records_from_cache(services, incidents) == records_from_assessment(services, incidents)


def test_summaries_computed_with_another_holiday_calendar_are_not_served(monkeypatch: pytest.MonkeyPatch) -> None:
    # Working-day deadlines come from the chinesecalendar package's tables: an upgrade that
    # publishes next year's holidays moves them, though no rules file of ours changed.
    import chinese_calendar

    from incident_app.services.register.summary import rules_version

    rules_version.cache_clear()
    before = rules_version()
    monkeypatch.setattr(chinese_calendar, "__version__", "0.0.0-other")
    rules_version.cache_clear()
    try:
        assert rules_version() != before
    finally:
        monkeypatch.undo()
        rules_version.cache_clear()



def test_summaries_cached_before_the_people_counting_changed_are_not_served(
        services: Services, intake: dict[str, Any], tmp_path: Path, sink: Sink,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Summary format 2 added up ledger rows for the people per channel (a person e-mailed at a
    # corrected address counted twice, a replaced list read "all told"); format 3 matches each
    # person now on the list to their latest row. Same rules files, same code version: a row that
    # code cached must still be recomputed, never served.
    from incident_app.services.register import summary as module

    incident = prepared_incident(services, intake, tmp_path)
    send_all(services, incident, sink.port)
    cache = services.ctx.store.assessment_cache

    def cache_as_the_old_code_did() -> None:
        summaries(services, services.incidents.list())
        key, until, text = cache.read([incident])[incident]
        body = json.loads(text)
        body["notified"] = {**body["notified"], "notified_email": body["notified"]["notified_email"] + 1}
        cache.write({incident: (key, until, json.dumps(body, ensure_ascii=False))})

    monkeypatch.setattr(module, "SUMMARY_FORMAT", 2)
    module.rules_version.cache_clear()
    try:
        cache_as_the_old_code_did()
    finally:
        monkeypatch.undo()
        module.rules_version.cache_clear()
    same_as_assessing_everything(services)  # recomputed under format 3, not served
    # The check has teeth: the same row cached under the running format is served as it is.
    cache_as_the_old_code_did()
    incidents = services.incidents.list()
    assert records_from_cache(services, incidents) != records_from_assessment(services, incidents)

def test_the_metrics_say_when_an_enquiry_turns_overdue(services: Services, intake: dict[str, Any], clock: Any) -> None:
    # The panel refreshes itself at ``changes_at``: an enquiry's reply due time passing changes
    # its overdue count as surely as an obligation's due time changes the on-time share.
    incident = services.incidents.create(intake).id
    for obligation in services.assessment.assess(incident).obligations:  # no obligation clock ahead
        decide(services, incident, obligation.id, "not_applicable", "测试")
    assert register_metrics(services).changes_at is None
    enquiry = services.enquiries.add(incident, {"channel": "phone", "received_at": clock.now.isoformat(),
                                                "contact": "13800138000", "topic": "affected", "text": "是否涉及我？"})
    metrics = register_metrics(services)
    assert metrics.changes_at is not None and metrics.changes_at == enquiry.reply_due
    clock.now = enquiry.reply_due + timedelta(seconds=1)
    assert register_metrics(services).enquiries["overdue"] == 1


def test_warm_metrics_sum_the_stored_parts_without_rebuilding_any_summary(
        services: Services, intake: dict[str, Any], tmp_path: Path, clock: Any, sink: Sink,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_app.services.register import summary

    varied(services, intake, tmp_path, clock, sink)
    register_metrics(services)  # every summary stored
    services.ctx.store.db.execute("DELETE FROM register_snapshot")  # no kept figures: summed again
    rebuilt: list[int] = []
    real = summary.summary_from_json
    monkeypatch.setattr(summary, "summary_from_json", lambda d, iid: (rebuilt.append(iid), real(d, iid))[1])
    assert register_metrics(services) == register_metrics(services, OLD)
    assert rebuilt == []  # only each summary's metric part was read


def test_a_change_keeps_its_incidents_summary_current_and_a_profile_change_leaves_all_to_recompute(
        services: Services, intake: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_app.services.register import summary

    a = services.incidents.create(intake).id
    b = services.incidents.create(intake | {"title": "二"}).id
    assert set(fresh_summaries(services, current_keys(services))) == {a, b}  # stored as they were created
    services.incidents.update_facts(a, {"affected_people": 2_500_000, "affected_records": 2_500_000})
    incidents = services.incidents.list()
    assert {i: s.records for i, s in fresh_summaries(services, current_keys(services)).items()} == \
        records_from_assessment(services, incidents)  # the new grade, stored by the change itself

    def rolled_back() -> None:
        with services.ctx.store.transaction():  # rolled back: nothing to keep
            services.ctx.record("incident.facts_changed", "incident", b, {}, b)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rolled_back()
    assert set(fresh_summaries(services, current_keys(services))) == {a, b}
    monkeypatch.setattr(summary, "summaries", lambda *_a: (_ for _ in ()).throw(OSError("disk full")))
    services.incidents.update_facts(b, {"affected_people": 3_000})  # the change never fails for its cache
    assert services.incidents.get(b).facts.affected_people == 3_000
    assert set(fresh_summaries(services, current_keys(services))) == {a}  # b is recomputed when next read
    monkeypatch.undo()
    services.profile.save({"operator_type": "critical_infrastructure"})  # every assessment reads it
    assert fresh_summaries(services, current_keys(services)) == {}
    same_as_assessing_everything(services)


def test_a_cold_chunk_reads_the_decisions_once_not_once_per_incident(
        services: Services, intake: dict[str, Any]) -> None:
    from incident_app.services.register.summary import compute_and_store

    ids = [services.incidents.create(intake | {"title": f"事件 {n}"}).id for n in range(12)]
    decide(services, ids[0], "pipl57-regulator", "met", "报送省网信办")

    def decision_reads(chosen: list[int]) -> int:
        seen: list[str] = []
        services.ctx.store.db.conn.set_trace_callback(seen.append)
        try:
            compute_and_store(services, services.ctx.store.incidents.get_many(chosen), current_keys(services))
        finally:
            services.ctx.store.db.conn.set_trace_callback(None)
        return sum(1 for sql in seen if "FROM decisions" in sql)

    assert decision_reads(ids[:2]) == decision_reads(ids) == 2  # the assessment's and the records' read
