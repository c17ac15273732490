from __future__ import annotations

import pytest

from incident_app.domain.notices.completeness import (
    CheckExpectations,
    ElementStatus,
    check_extracted_text,
    check_rendered,
    short_form_body,
    sms_size,
)
from incident_app.domain.notices.kinds import INDIVIDUAL_ELEMENTS, Channel, NoticeKind, heading

CONTACT = ("021-38760448", "tousu@ooopic.com", "上海市浦东新区碧波路690号1号楼302室")


def html_notice(skip: str = "", empty: str = "", order: list[str] | None = None, drill: bool = False) -> str:
    parts = []
    for element in order or list(INDIVIDUAL_ELEMENTS):
        if element == skip:
            continue
        contact = "电话 021-38760448 邮箱 tousu@ooopic.com 地址 上海市浦东新区碧波路690号1号楼302室"
        body = "" if element == empty else (contact if element == "contact" else f"{element} 的内容")
        parts.append(f'<section data-element="{element}"><h2>{heading(element, "zh-CN")}</h2><p>{body}</p></section>')
    banner = '<table data-drill="true"><tr><td>演练</td></tr></table>' if drill else ""
    return f"<html><body>{banner}{''.join(parts)}</body></html>"


def check(html: str, **kw: object) -> object:
    exp = CheckExpectations(CONTACT, **kw)  # type: ignore[arg-type]
    return check_rendered(html, NoticeKind.INDIVIDUAL, Channel.EMAIL_HTML, "zh-CN", exp)


def statuses(report: object) -> dict[str, str]:
    return {e.element: e.status.value for e in report.elements}  # type: ignore[attr-defined]


def test_complete_html_notice() -> None:
    report = check(html_notice())
    assert report.complete and set(statuses(report).values()) == {"present"}  # type: ignore[attr-defined]


def test_missing_and_empty_elements_are_named() -> None:
    report = check(html_notice(skip="remedies", empty="cause"))
    assert statuses(report)["remedies"] == "missing" and statuses(report)["cause"] == "empty"
    assert not report.complete  # type: ignore[attr-defined]
    assert "remedies: missing" in report.missing()  # type: ignore[attr-defined]


def test_waiver_counts_only_when_recorded() -> None:
    report = check(html_notice(skip="remedies"), waivers={"remedies": "no remedy applies (decision #4)"})
    assert statuses(report)["remedies"] == "waived" and report.complete  # type: ignore[attr-defined]


def test_order_is_enforced() -> None:
    order = list(INDIVIDUAL_ELEMENTS)
    order[1], order[2] = order[2], order[1]
    report = check(html_notice(order=order))
    assert any(p.startswith("order:") for p in report.problems)  # type: ignore[attr-defined]


def test_contact_section_must_carry_officer_contacts() -> None:
    html = html_notice().replace("tousu@ooopic.com", "someone@else.example")
    report = check(html)
    assert any("tousu@ooopic.com" in p for p in report.problems)  # type: ignore[attr-defined]


def test_drill_notice_needs_banner() -> None:
    assert not check(html_notice(), drill=True).complete  # type: ignore[attr-defined]
    assert check(html_notice(drill=True), drill=True).complete  # type: ignore[attr-defined]


def test_text_markers_in_both_languages_and_by_id() -> None:
    text = "\n".join(f"【{heading(e, 'zh-CN')}】\n{e} 内容" if i % 2 else f"[{e}]\n{e} body"
                     for i, e in enumerate(INDIVIDUAL_ELEMENTS))
    text = text.replace("contact body", " ".join(CONTACT)).replace("contact 内容", " ".join(CONTACT))
    report = check_rendered(text, NoticeKind.INDIVIDUAL, Channel.EMAIL_TEXT, "zh-CN", CheckExpectations(CONTACT))
    assert report.complete, report.missing()


def test_regulator_items_may_be_deferred_but_individual_elements_may_not() -> None:
    html = '<section data-element="trend" data-deferred="true"><h2>x</h2><p>（待补报）</p></section>'
    reg = check_rendered(html, NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN", CheckExpectations())
    assert {e.element: e.status for e in reg.elements}["trend"] == ElementStatus.DEFERRED
    ind = check_rendered(html.replace("trend", "cause"), NoticeKind.INDIVIDUAL, Channel.EMAIL_HTML, "zh-CN",
                         CheckExpectations())
    assert {e.element: e.status for e in ind.elements}["cause"] == ElementStatus.EMPTY


def test_pdf_text_headings_numbered_and_wrapped_contact() -> None:
    lines = []
    for n, element in enumerate(INDIVIDUAL_ELEMENTS, start=1):
        lines += [f"{'一二三四五六七八'[n - 1]}、{heading(element, 'zh-CN')}", f"{element} 内容"]
    lines[-1] = "电话：021-38760448 邮箱：tousu@ooopic.com 地址：上海市浦东新区碧波路690号1号\n楼302室"
    report = check_extracted_text("\n".join(lines), NoticeKind.INDIVIDUAL, Channel.LETTER, "zh-CN",
                                  CheckExpectations(CONTACT))
    assert report.complete, report.missing()


@pytest.mark.parametrize(("body", "expected"), [("a" * 306, (306, 306)), ("[" * 10, (20, 306)),
                                                ("中" * 134, (134, 134))])
def test_sms_size(body: str, expected: tuple[int, int]) -> None:
    assert sms_size(body) == expected


def test_the_sms_check_counts_the_signature_as_the_gateway_bills_it() -> None:
    text = "[What happened]\n" + "a" * 200 + "\n[How to contact us]\nInfo: 021-38760448"
    unsigned = check_rendered(text, NoticeKind.INDIVIDUAL, Channel.SMS, "en", CheckExpectations())
    assert not [p for p in unsigned.problems if p.startswith("sms:")]  # 220 GSM-7 characters fit 306
    chinese = check_rendered(text, NoticeKind.INDIVIDUAL, Channel.SMS, "en",
                             CheckExpectations(sms_signature="上海我图网络科技有限公司"))
    assert [p for p in chinese.problems if p.startswith("sms:") and "UCS-2" in p and "4 billed parts" in p]
    english = check_rendered(text, NoticeKind.INDIVIDUAL, Channel.SMS, "en", CheckExpectations(sms_signature="Wotu"))
    assert not [p for p in english.problems if p.startswith("sms:")]


def test_sms_over_two_segments_is_a_problem() -> None:
    text = "【事件基本情况】\n" + "中" * 100 + "\n【联系我们】\n" + "文" * 40
    report = check_rendered(text, NoticeKind.INDIVIDUAL, Channel.SMS, "zh-CN", CheckExpectations())
    assert any(p.startswith("sms: 140") for p in report.problems)
    assert short_form_body(text) == "中" * 100 + "文" * 40
