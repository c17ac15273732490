"""Building the RFC 5322 bytes of one notice directly.

``email.message.EmailMessage`` with the default policy builds ~1,100 messages/s — as slow as
sending them (STACK-NOTES) — so the headers and base64 MIME parts are written here by hand.
Everything is 7-bit: UTF-8 text goes into base64 bodies and RFC 2047 encoded words, so any relay
accepts it without SMTPUTF8 or 8BITMIME."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from incident_app.domain.contacts import ascii_address
from incident_app.domain.mail.sending import OutgoingMessage

CRLF = "\r\n"
# 39 bytes of UTF-8 become 52 base64 characters: with "=?utf-8?b?" and "?=" a word is 64
# characters, so even "Subject: " plus the first word stays within the 78-character line limit.
_WORD_BYTES = 39


@dataclass(frozen=True)
class Sender:
    """The From/Reply-To identity of the organisation."""

    address: str
    name: str = ""
    reply_to: str = ""
    name_en: str = ""  # the display name English recipients see ("" = the same name)

    def name_for(self, language: str) -> str:
        """The sender's display name in the recipient's language."""
        return self.name_en if language == "en" and self.name_en else self.name


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def english_sender_name(from_name: str, company_zh: str, company_en: str) -> str:
    """What English recipients see as the sender: a name the officer typed in Latin letters as it is;
    the Chinese company name (the default) or any Chinese name becomes the company's English name
    when the profile has one."""
    if from_name and not _has_cjk(from_name):
        return from_name
    return company_en or from_name or company_zh


def build_message_bytes(
    message: OutgoingMessage, sender: Sender, message_id: str, date: datetime,
    *, subject_prefix: str = "", to_address: str | None = None,
) -> bytes:
    """The complete message for one recipient: headers, then a text part (and an HTML part as
    multipart/alternative when the notice has one). ``to_address`` overrides the addressee only
    for a test send to the officer."""
    headers = _headers(message, sender, message_id, date, subject_prefix, to_address or message.to_address)
    text_part = _base64_body(message.text_body)
    if not message.html_body:
        body = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", text_part, ""]
        return (CRLF.join(headers + body)).encode("ascii")
    boundary = "=_bd_" + hashlib.sha1(message_id.encode("ascii"), usedforsecurity=False).hexdigest()[:24]
    body = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"', "",
        f"--{boundary}", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "",
        text_part,
        f"--{boundary}", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "",
        _base64_body(message.html_body),
        f"--{boundary}--", "",
    ]
    return (CRLF.join(headers + body)).encode("ascii")


def _headers(
    message: OutgoingMessage, sender: Sender, message_id: str, date: datetime, subject_prefix: str, to: str,
) -> list[str]:
    headers = [
        f"From: {format_address(sender.name_for(message.language), sender.address)}",
        f"To: {ascii_address(to)}",  # an IDN domain travels as its A-labels (7-bit headers)
        f"Subject: {encode_header_text(subject_prefix + message.subject)}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        f"Content-Language: {message.language}",
        f"X-Breach-Desk-Reference: {message.reference}",
        # Suppresses vacation auto-replies to the sender (RFC 3834).
        "Auto-Submitted: auto-generated",
    ]
    if sender.reply_to:
        headers.insert(1, f"Reply-To: {sender.reply_to}")
    return headers


def format_address(name: str, address: str) -> str:
    """``Name <addr>`` with the name quoted or encoded as needed; just ``addr`` without a name."""
    if not name:
        return address
    if name.isascii():
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>'
    return f"{encode_header_text(name)}{CRLF} <{address}>"


def encode_header_text(text: str) -> str:
    """Plain ASCII stays as it is; anything else becomes folded RFC 2047 base64 encoded words."""
    if text.isascii() and "=?" not in text:
        return text
    words = [f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?=" for chunk in _utf8_chunks(text)]
    return (CRLF + " ").join(words)


def _utf8_chunks(text: str) -> list[bytes]:
    """Split at character boundaries so no encoded word cuts a multi-byte character."""
    chunks: list[bytes] = []
    current = b""
    for char in text:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > _WORD_BYTES:
            chunks.append(current)
            current = b""
        current += encoded
    if current:
        chunks.append(current)
    return chunks


def _base64_body(text: str) -> str:
    """Canonical CRLF line ends, UTF-8, base64 in 76-character lines."""
    canonical = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return base64.encodebytes(canonical.encode("utf-8")).decode("ascii").replace("\n", CRLF).rstrip(CRLF)
