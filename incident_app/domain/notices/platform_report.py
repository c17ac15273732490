"""The delivery report of the company's own mass-messaging platform (``import-delivery``): which
column holds what, the status words understood (English and Chinese), and the delivery time.

One row per recipient of the ``export-recipients`` file: its ``reference`` (echoed back from the
JSONL), the ``status``, the ``time`` it happened and, for a failure, the ``reason``. Pure: the
service reads the file and the ledger."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from incident_app.domain.clock import parse_time

# Header names accepted per column (folded: lower case, spaces removed). Required: reference,
# status, time; reason is optional.
PLATFORM_COLUMNS: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "ref", "out_id", "outid", "external_id", "custom_id", "biz_id", "参考号",
                  "引用号", "编号", "业务编号", "外部编号", "自定义编号"),
    "status": ("status", "state", "delivery_status", "result", "状态", "发送状态", "投递状态", "送达状态", "结果"),
    "time": ("time", "delivered_at", "sent_at", "timestamp", "status_time", "report_time", "时间", "送达时间",
             "发送时间", "投递时间", "状态时间", "回执时间"),
    "reason": ("reason", "error", "error_message", "detail", "description", "失败原因", "原因", "错误信息", "备注"),
}
REQUIRED_COLUMNS = ("reference", "status", "time")

# Status words (folded: lower case, spaces and hyphens as underscores). "sent" means the platform
# handed the message to the carrier / mail server: accepted, which is what the e-mail ledger calls sent.
DELIVERED = frozenset({
    "delivered", "sent", "success", "succeeded", "successful", "ok", "done", "read", "opened", "accepted_by_carrier",
    "已送达", "送达", "成功", "发送成功", "已发送", "投递成功", "已投递", "已读", "已签收", "签收",
})
FAILED = frozenset({
    "failed", "fail", "failure", "bounced", "bounce", "hard_bounce", "soft_bounce", "rejected", "undeliverable",
    "undelivered", "invalid", "error", "dropped", "blocked", "returned",
    "失败", "发送失败", "投递失败", "送达失败", "退信", "被退回", "退回", "拒收", "无效", "空号", "无法投递",
})
PENDING = frozenset({
    "pending", "queued", "accepted", "submitted", "processing", "deferred", "sending", "scheduled",
    "等待", "处理中", "排队中", "发送中", "待发送", "已提交", "投递中",
})
FUTURE_TOLERANCE = timedelta(minutes=5)  # the platform's clock may run a little ahead of ours


def delivery_state(status: str) -> str | None:
    """``sent`` / ``failed`` / ``pending`` for a status cell, or None when it is not understood."""
    folded = re.sub(r"[\s\-]+", "_", status.strip().lower())
    if folded in DELIVERED:
        return "sent"
    if folded in FAILED:
        return "failed"
    if folded in PENDING:
        return "pending"
    return None


def delivery_time(value: str) -> datetime:
    """The report's time cell as an aware UTC time: ISO 8601 (``2026-12-02T10:15:00+08:00``; without
    an offset Beijing time), ``2026/12/02 10:15:00``, or Unix seconds / milliseconds. Raises ValueError."""
    text = value.strip()
    if re.fullmatch(r"\d{10}", text) or re.fullmatch(r"\d{13}", text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    text = re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)
    return parse_time(text).astimezone(UTC)


def status_words() -> dict[str, list[str]]:
    """The understood words per state (README and the refusal message)."""
    return {"sent": sorted(DELIVERED), "failed": sorted(FAILED), "pending": sorted(PENDING)}
