"""Golden files: every bundled channel template in both languages, rendered from the fixed sample
snapshot, must match tests/golden/. After an intended wording change, regenerate with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/services/notices/test_notice_golden.py`` and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from incident_app.domain.notices.kinds import CHANNELS, Channel, NoticeKind
from incident_app.services.notices.render import channel_template
from incident_app.services.notices.templates import bundled_templates
from tests.notice_helpers import sample_renderer

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
CASES = [(kind, channel, lang) for kind, channels in CHANNELS.items() for channel in channels
         for lang in ("zh-CN", "en")]


def _golden_path(kind: NoticeKind, channel: Channel, lang: str) -> Path:
    return GOLDEN / kind.value / f"{channel.value}.{lang}.{channel.extension}"


@pytest.mark.parametrize(("kind", "channel", "lang"), CASES, ids=lambda v: str(v))
def test_rendering_matches_golden_file(kind: NoticeKind, channel: Channel, lang: str) -> None:
    notice = sample_renderer().render_master(kind, channel, lang)
    assert not notice.error
    assert notice.report.complete, notice.report.missing()
    path = _golden_path(kind, channel, lang)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notice.content, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 to create it"
    assert notice.content == path.read_text(encoding="utf-8")


def test_every_bundled_template_is_covered_by_a_golden_file() -> None:
    """Channel templates have their own golden file; partials and the layout are rendered through
    the channel templates that include them (checked here by name)."""
    used = {channel_template(k, c, lang) for k, c, lang in CASES}
    sources = bundled_templates()
    for name in sources:
        if name in used:
            continue
        assert any(name in sources[user] for user in used) or name == "_layout.html", f"{name} is never rendered"


def test_drill_banner_in_every_channel() -> None:
    renderer = sample_renderer(drill=True)
    for kind, channel, lang in CASES:
        notice = renderer.render_master(kind, channel, lang)
        assert notice.report.complete, (kind, channel, lang, notice.report.missing())
        assert ("演练" in notice.content) or ("DRILL" in notice.content)


def test_every_section_heading_maps_back_to_its_element() -> None:
    """Text, PDF and DOCX checks recognise sections by heading: each HTML section's heading must be
    one the heading table knows for that element."""
    import re

    from incident_app.domain.notices.completeness import element_for_heading

    renderer = sample_renderer()
    for kind, channel, lang in CASES:
        if not channel.is_html:
            continue
        content = renderer.render_master(kind, channel, lang).content
        for element, title in re.findall(r'<section data-element="(\w+)"[^>]*>\s*<h[23]>(.*?)</h[23]>', content):
            assert element_for_heading(title) == element, (kind, channel, lang, title)
