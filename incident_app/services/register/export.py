"""The breach register as a file: CSV (UTF-8 with BOM so Excel shows Chinese), XLSX (a register
sheet, a totals sheet, a metrics sheet) or JSON (rows, totals and metrics). Every CSV/XLSX cell is
neutralised against formula injection. Each export is logged: who, when, what, where to."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
    metrics_to_dict,
    register_record,
    register_totals,
)
from incident_app.services.audit import STDOUT, record_export
from incident_app.services.container import Services
from incident_app.services.enquiries.metrics import enquiry_metrics
from incident_app.services.private_files import StagedOutputs, check_final_name

# The metrics live in their own module (the helper process imports only that one); named here too.
from incident_app.services.register.metrics import METRICS_SNAPSHOT as METRICS_SNAPSHOT
from incident_app.services.register.metrics import kept_metrics as kept_metrics
from incident_app.services.register.metrics import metrics_of_records
from incident_app.services.register.metrics import register_metrics as register_metrics
from incident_app.services.register.sources import IncidentRecords, RegisterSources
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
    metrics = replace(metrics_of_records(incidents, found, now), enquiries=enquiry_metrics(services.ctx).to_dict())
    return RegisterData(to_iso(now), services.ctx.actor, records, register_totals(records), metrics)


def _inputs(services: Services, incident: Incident, found: IncidentRecords) -> RegisterInputs:
    return RegisterInputs(
        incident=incident, decisions=services.decisions.list(incident.id),
        remediation=services.remediation.actions(incident.id), outcomes=found.outcomes,
        milestones=found.milestones, notified=found.notified, grade=found.grade,
        grade_needs_judgement=found.grade_needs_judgement, counts=found.counts,
    )


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
