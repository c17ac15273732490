"""The one sentence the Assessment and Notices tabs show when the imported people list is smaller
than the intake's estimate: which number is used, and what to do about the gap."""

from __future__ import annotations

from incident_app.domain.i18n import Translator


def people_gap_text(tr: Translator, estimate: int, used: int) -> str:
    """E.g. "The imported list holds 200 people; the intake estimated 48,213 …"."""
    return tr.t("people.gap", used=f"{used:,}", estimate=f"{estimate:,}", gap=f"{estimate - used:,}")
