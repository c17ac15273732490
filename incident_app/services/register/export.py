"""The breach register as a file: CSV (UTF-8 with BOM so Excel shows Chinese), XLSX (a register
sheet, a totals sheet, a metrics sheet) or JSON (rows, totals and metrics). Every CSV/XLSX cell is
neutralised against formula injection. Each export is logged: who, when, what, where to."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from incident_app.domain.assessment.grading import exact_number
from incident_app.domain.clock import SHANGHAI, parse_time, to_iso
from incident_app.domain.exports import flatten_for_sheet, neutralise_row, xlsx_safe
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import FACT_LANGS, UNTRANSLATED, Incident
from incident_app.domain.register import (
    COLUMN_KEYS,
    REGISTER_COLUMNS,
    TIME_KEYS,
    RegisterInputs,
    RegisterMetrics,
    compute_metrics,
    metric_row,
    metrics_to_dict,
    register_record,
    register_totals,
)
from incident_app.domain.register.metrics import metric_part, metrics_from_dict, metrics_from_parts
from incident_app.services.audit import STDOUT, record_export
from incident_app.services.container import Services
from incident_app.services.enquiries.metrics import enquiry_metrics
from incident_app.services.private_files import StagedOutputs, check_final_name
from incident_app.services.register.sources import IncidentRecords, RegisterSources
from incident_app.services.register.summary import compute_and_store, current_keys, fresh_metric_parts
from incident_app.services.resources import load_messages


class RegisterFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


@dataclass(frozen=True)
class RegisterData:
    """Rows (one per incident, drills flagged), totals and metrics (drills excluded)."""

    generated_at: str
    generated_by: str
    records: list[dict[str, Any]]
    totals: dict[str, Any]
    metrics: RegisterMetrics


def build_register(services: Services, sources: RegisterSources | None = None) -> RegisterData:
    """Gather every incident with its grade, decisions, remediation, obligations and counts."""
    sources = sources or RegisterSources()
    incidents = services.incidents.list()
    now = services.ctx.now()
    found = sources.records(services, incidents)
    records = [register_record(_inputs(services, i, found.get(i.id, IncidentRecords())), services.ctx.catalog, now)
               for i in incidents]
    metrics = replace(_metrics(incidents, found, now), enquiries=enquiry_metrics(services.ctx).to_dict())
    return RegisterData(to_iso(now), services.ctx.actor, records, register_totals(records), metrics)


def _inputs(services: Services, incident: Incident, found: IncidentRecords) -> RegisterInputs:
    return RegisterInputs(
        incident=incident, decisions=services.decisions.list(incident.id),
        remediation=services.remediation.actions(incident.id), outcomes=found.outcomes,
        milestones=found.milestones, notified=found.notified, grade=found.grade,
        grade_needs_judgement=found.grade_needs_judgement, counts=found.counts,
    )


def _metrics(incidents: Sequence[Incident], found: Mapping[int, IncidentRecords], now: datetime) -> RegisterMetrics:
    outcomes = [o for r in found.values() for o in r.outcomes]
    milestones = [m for r in found.values() for m in r.milestones]
    return compute_metrics(incidents, milestones, outcomes, now=now)


METRICS_SNAPSHOT = "metrics"  # the kept figures' name (storage/assessment_cache.py)
COMPUTE_CHUNK = 1_000  # incidents assessed and stored per step of a cold run


def register_metrics(services: Services, sources: RegisterSources | None = None) -> RegisterMetrics:
    """Only the metrics (the register view's panel): no rows are built. With the default sources
    the figures kept from the last run are used while every incident's input key and the clock
    say they still hold; else the incidents' facts are read by SQL and only incidents without a
    fresh cached summary are loaded whole and assessed (services/register/summary.py)."""
    if sources is not None:
        incidents = services.incidents.list()
        metrics = _metrics(incidents, sources.records(services, incidents), services.ctx.now())
    else:
        metrics = _metrics_from_summaries(services)
    return replace(metrics, enquiries=enquiry_metrics(services.ctx).to_dict())


def kept_metrics(services: Services) -> RegisterMetrics | None:
    """The figures kept from the last metrics run, unchecked (one small read, nothing assessed):
    what the panel shows at once while the current ones are computed. None before any run."""
    kept = services.ctx.store.assessment_cache.read_snapshot(METRICS_SNAPSHOT)
    if kept is None:
        return None
    body = json.loads(kept[2])
    return replace(metrics_from_dict(body["metrics"]), as_of=parse_time(body["as_of"]))


def _register_key(keys: Mapping[int, str | None]) -> str | None:
    """One key over every incident's input key (None when one of them may not be cached now)."""
    if any(k is None for k in keys.values()):
        return None
    digest = hashlib.sha256()
    for incident_id in sorted(keys):
        digest.update(f"{incident_id}={keys[incident_id]};".encode())
    return digest.hexdigest()


def _metrics_from_summaries(services: Services) -> RegisterMetrics:
    now = services.ctx.now()
    keys = current_keys(services)
    register_key = _register_key(keys)
    cache = services.ctx.store.assessment_cache
    kept = cache.read_snapshot(METRICS_SNAPSHOT)
    if kept is not None and register_key is not None and kept[0] == register_key and (
            kept[1] is None or now < parse_time(kept[1])):
        body = json.loads(kept[2])  # nothing changed and no due time passed: the last figures hold
        metrics = metrics_from_dict(body["metrics"])
        return replace(metrics, as_of=now, changes_at=parse_time(body["changes_at"]) if body["changes_at"] else None)
    rows = [metric_row(i, drill, parse_time(occurred) if occurred else None, parse_time(discovered), cause)
            for i, drill, occurred, discovered, cause in services.ctx.store.incidents.metric_rows()]
    parts = fresh_metric_parts(services, keys)  # each summary's part only: no outcome is rebuilt
    stale = [r.id for r in rows if r.id not in parts]
    for first in range(0, len(stale), COMPUTE_CHUNK):  # stored per step: a run cut short keeps its work
        chunk = stale[first:first + COMPUTE_CHUNK]
        computed = compute_and_store(services, services.ctx.store.incidents.get_many(chunk), keys)
        parts |= {i: metric_part(s.records.outcomes, s.records.milestones) for i, s in computed.items()}
    metrics = metrics_from_parts(rows, parts, now=now)
    if register_key is not None:
        _keep_metrics(services, register_key, metrics, now)
    return metrics


def _keep_metrics(services: Services, register_key: str, metrics: RegisterMetrics, now: datetime) -> None:
    # Valid until an open obligation's due time passes (the figures change) or a summary stops
    # being fresh (it would be recomputed), whichever comes first.
    cache = services.ctx.store.assessment_cache
    ahead = [t for t in (parse_time(u) for u in cache.valid_untils()) if t > now]
    if metrics.changes_at is not None:
        ahead.append(metrics.changes_at)
    until = min(ahead, default=None)
    body = {"metrics": metrics_to_dict(metrics), "as_of": now.isoformat(),
            "changes_at": metrics.changes_at.isoformat() if metrics.changes_at else None}
    cache.write_snapshot(METRICS_SNAPSHOT, (register_key, until.isoformat() if until else None,
                                            json.dumps(body, ensure_ascii=False)))


def register_json(data: RegisterData) -> dict[str, Any]:
    return {
        "generated_at": data.generated_at, "generated_by": data.generated_by,
        "note": "drill incidents are listed (drill = true) but excluded from totals and metrics",
        "columns": [{"key": c.key, "zh": c.zh, "en": c.en} for c in REGISTER_COLUMNS],
        "incidents": data.records, "totals": data.totals, "metrics": metrics_to_dict(data.metrics),
    }


def render_register(data: RegisterData, fmt: RegisterFormat) -> bytes:
    """The register file's bytes in ``fmt``."""
    if fmt is RegisterFormat.JSON:
        return (json.dumps(register_json(data), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt is RegisterFormat.CSV:
        return _csv(data)
    return _xlsx(data)


# Columns whose values are codes, and the catalog prefix of their words (the GUI's own words).
_CODED_COLUMNS = {"status": "status", "breach_types": "wizard.breach", "likelihood": "wizard.likelihood",
                  "cause": "wizard.cause", "recipients": "wizard.recipients", "cac_grade": "grade.name"}
SHEET_TIME_FORMAT = "%Y-%m-%d %H:%M"


def sheet_header() -> list[str]:
    """The sheets' column titles: Chinese and English, times marked as Beijing time."""
    return [f"{c.zh}（北京时间） {c.en} (Beijing time)" if c.key in TIME_KEYS else f"{c.zh} {c.en}"
            for c in REGISTER_COLUMNS]


def sheet_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A register row as a person reads it in CSV/XLSX: coded values in words ("已控制 / Contained"),
    yes/no in words, times in Beijing time without an offset to decode. The JSON keeps the codes."""
    zh, en = (Translator(load_messages(), lang) for lang in ("zh-CN", "en"))
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key in TIME_KEYS:
            out[key] = parse_time(str(value)).astimezone(SHANGHAI).strftime(SHEET_TIME_FORMAT) if value else ""
        elif key in _CODED_COLUMNS and value not in (None, ""):
            values = value if isinstance(value, list) else [value]
            out[key] = [_both(zh, en, _CODED_COLUMNS[key], v) for v in values]
        elif key == "economic_loss_cny" and isinstance(value, int | float):
            out[key] = exact_number(value)  # 4,999,999.99 as recorded, 0 without ".0"
        elif isinstance(value, bool):
            out[key] = "是 / Yes" if value else "否 / No"
        elif isinstance(value, Mapping) and set(value) <= {*FACT_LANGS, UNTRANSLATED}:
            out[key] = _bilingual_cell(value)
        else:
            out[key] = value
    return out


def _bilingual_cell(value: Mapping[str, Any]) -> str:
    """A fact with a Chinese and an English text as one cell: "中文 / English" (a copy not yet
    translated, or a missing language, left out), never the stored object."""
    copies = value.get(UNTRANSLATED) or []
    sides = []
    for lang in FACT_LANGS:
        text = value.get(lang)
        text = "; ".join(str(t) for t in text) if isinstance(text, list | tuple) else str(text or "")
        if text and lang not in copies and text not in sides:
            sides.append(text)
    return " / ".join(sides)


def _both(zh: Translator, en: Translator, prefix: str, code: Any) -> str:
    zh_word, en_word = zh.word(prefix, code), en.word(prefix, code)
    en_word = en_word.removesuffix(f" ({zh_word})")  # "Relatively major (较大)": the term is already first
    return zh_word if zh_word == en_word else f"{zh_word} / {en_word}"


def _csv(data: RegisterData) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(neutralise_row(sheet_header()))
    for record in data.records:
        writer.writerow(flatten_for_sheet(sheet_record(record), COLUMN_KEYS))
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(data: RegisterData) -> bytes:
    from openpyxl import Workbook  # deferred: only the XLSX export needs it

    book = Workbook()
    sheet = book.active
    sheet.title = "登记簿 Register"
    sheet.append(sheet_header())
    for record in data.records:
        sheet.append([xlsx_safe(v) for v in flatten_for_sheet(sheet_record(record), COLUMN_KEYS)])
    sheet.freeze_panes = "C2"
    _key_value_sheet(book.create_sheet("合计 Totals"), data.totals, "drills excluded / 不含演练")
    _key_value_sheet(book.create_sheet("指标 Metrics"), _flat(metrics_to_dict(data.metrics)), "drills excluded")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _key_value_sheet(sheet: Any, values: dict[str, Any], note: str) -> None:
    sheet.append(neutralise_row(["key", "value", note]))
    for key, value in values.items():
        sheet.append([xlsx_safe(v) for v in neutralise_row([key, value])])


def _flat(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def export_register(services: Services, path: Path | None, fmt: RegisterFormat | str,
                    sources: RegisterSources | None = None) -> tuple[bytes, RegisterData]:
    """Build the register, write it to ``path`` (mode 0600) unless ``path`` is None (the caller
    prints the bytes), and log the export. Returns the bytes and the data."""
    fmt = RegisterFormat(fmt)
    if path is not None:  # refused before any work (building may refresh the summary cache)
        check_final_name(path, services.ctx.store.path)
    data = build_register(services, sources)
    content = render_register(data, fmt)
    if path is None:
        record_export(services.ctx, what="register", where=STDOUT, count=len(data.records), unmasked=False,
                      details={"format": fmt.value})
        return content, data
    # The file takes its name inside the transaction of its export event (never the database's).
    staged = StagedOutputs(services.ctx.store.path)
    try:
        target = staged.write(path, content)
        with staged.committing(), services.ctx.store.transaction():
            record_export(services.ctx, what="register", where=str(target), count=len(data.records),
                          unmasked=False, details={"format": fmt.value})
            staged.publish()
    except BaseException:
        staged.discard()
        raise
    return content, data


def format_from_path(path: Path) -> RegisterFormat | None:
    """``register.xlsx`` -> xlsx, when the suffix names a format."""
    try:
        return RegisterFormat(path.suffix.lower().lstrip("."))
    except ValueError:
        return None
