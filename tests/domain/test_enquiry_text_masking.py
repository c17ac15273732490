"""What an enquirer wrote, as the enquiry list shows it: contacts written in the odd ways people
write them to dodge filters or by habit are masked too."""

from __future__ import annotations

import pytest

from incident_app.domain.enquiries import mask_enquiry_text


@pytest.mark.parametrize(("text", "secret"), [
    ("请发到 zhang at example dot com", "zhang"),
    ("邮箱 zhang[at]example.com", "zhang"),
    ("邮箱 zhang(at)example(dot)com", "zhang"),
    ("邮箱 zhang @ example.com 谢谢", "zhang"),
    ("my mail: li.si AT qq DOT com", "li.si"),
    ("QQ号:987654 联系我", "987654"),
    ("qq：12345", "12345"),
    ("加我扣扣 5512345", "5512345"),
    ("微信 wxid_abc123", "wxid_abc123"),
    ("微信号：zhang_san88", "zhang_san88"),
    ("电话 138 - 0013 - 8000", "0013"),
    ("电话 139‐0013‐9000", "0013"),
    ("电话 139—0013—9000", "0013"),
    ("tel:138_0013_8000", "0013"),
    ("电话：一三八零零一三八零零零", "一三八零零一三八"),
    ("我的电话１３８００１３８０００", "１３８００１３８"),
    ("+86 138-0013-8000", "0013"),
])
def test_a_contact_written_oddly_is_masked(text: str, secret: str) -> None:
    assert secret not in mask_enquiry_text(text, "", "")


@pytest.mark.parametrize("text", ["我们在 3 月 12 日收到了短信", "I was at home at 9 pm", "订单号 A12345 的退款",
                                  "请问我的数据是否泄露？"])
def test_ordinary_words_stay(text: str) -> None:
    assert mask_enquiry_text(text, "", "") == text


def test_the_enquirers_own_contact_is_masked() -> None:
    assert mask_enquiry_text("call 13800138000", "13800138000", "138****8000") == "call 138****8000"
