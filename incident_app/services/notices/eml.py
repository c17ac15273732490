"""EML files (RFC 5322) of personal notices: one file per recipient, text and HTML alternatives.
Built with the compat32 MIME classes (STACK-NOTES: ~10x faster than EmailMessage)."""

from __future__ import annotations

from datetime import datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid


def build_eml(*, sender_name: str, sender: str, to: str, subject: str, text_body: str, html_body: str,
              reference: str, date: datetime) -> bytes:
    """One message; ``reference`` also goes into an X- header so a reply can be matched."""
    message = MIMEMultipart("alternative")
    message["From"] = formataddr((str(Header(sender_name, "utf-8")), sender))
    message["To"] = to
    message["Subject"] = Header(subject, "utf-8").encode()
    message["Date"] = format_datetime(date)
    message["Message-ID"] = make_msgid(idstring=reference, domain=sender.split("@")[-1] or "localhost")
    message["X-Breach-Desk-Reference"] = reference
    message.attach(MIMEText(text_body, "plain", "utf-8"))
    message.attach(MIMEText(html_body, "html", "utf-8"))
    return message.as_bytes()
