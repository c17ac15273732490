"""Finding the contacts (e-mail addresses, phone and ID numbers) written in free text, so that they
can be masked: relay replies in the send ledger and the evidence pack, the retention purge,
enquiry texts, and the diagnostic log. One set of patterns for all of them, so that a form one of
them learns to catch (a full-width ＠, ``%40``, a number straight after Chinese text, digits split
by tabs) is caught by every one.

Stand-alone like :mod:`incident_app.platform_support`: it imports nothing of the app, so the
diagnostic log can use it before anything else is loaded."""

from __future__ import annotations

import re
from collections.abc import Callable

# Contacts echoed in a relay's reply or in a reason, in whatever case or form the relay chose:
# <USER@EXAMPLE.COM>, "quoted local"@example.com, user(comment)@example.com, o'brien@example.com,
# user@[192.0.2.1], user@localhost, internationalised addresses (user@例子。中国), a full-width ＠
# and the encodings %40 (URLs) and =40 (MIME encoded words), and phone numbers: 7+ digits (full-width
# too) with spaces, tabs, hyphens, dots, slashes or brackets between them; a resident ID number's
# closing X goes with its digits. Boundaries are "not a digit" and "not address text", never \w:
# CJK counts as \w, so 电话13800138000 would slip through. Over-masking (a long queue id that looks
# like a number, a date) is accepted; a missed contact is not.
_AT = r"(?:@|\uff20|%40|=40)"
_NOT_IN_LOCAL = r"\s<>\[\]\",;:@\uff20"
_NOT_IN_DOMAIN = _NOT_IN_LOCAL + r"()'"
CONTACT_EMAIL = re.compile(
    r'(?:"[^"\r\n]*"|[^' + _NOT_IN_LOCAL + r']+)?' + _AT
    + r'(?:\[[^\]\s]*\]|[^' + _NOT_IN_DOMAIN + r']+)', re.IGNORECASE)
LEADING_CODE = re.compile(r"\A[2-5]\d\d[ -]")
# The phone pattern reads: not after a digit, (17 digits and an X, not before a letter or digit) or
# (an optional +, a digit, then 6+ digits each after up to two separators, not before a digit):
#     (?<!\d)(?:\d{17}[Xx](?![A-Za-z\d])|\+?\d(?:SEP{0,2}\d){6,}(?!\d))
# It is written below with the first character taken first ([+\d], the "not after a digit" checked
# behind it), which matches the same numbers at the same places; the regex engine then skips to
# the next + or digit in C instead of trying the pattern at every character (a relay's reply is
# mostly letters), which made scrubbing a reply about twice as slow.
_SEP = r"[ \t\-./()\u3000]"
CONTACT_PHONE = re.compile(
    r"[+\d](?<!\d[+\d])(?:(?<=\d)\d{16}[Xx](?![A-Za-z\d])|(?<=\d)(?:" + _SEP + r"{0,2}\d){6,}(?!\d)"
    r"|(?<=\+)\d(?:" + _SEP + r"{0,2}\d){6,}(?!\d))")
# CONTACT_EMAIL for a text whose only form of @ is "@" and that holds none of " ( ) ' (each of which
# can end a domain without ending a local part, or open a quoted one): there a match starts where
# a run of local-part characters starts, or at an "@" right after the previous match, so the
# pattern is tried only there (the lookbehind) and takes the run whole (no backtracking). Same
# matches as CONTACT_EMAIL on such texts, several times faster on a long reply.
_PLAIN_EMAIL = re.compile(
    r"(?:(?<![^" + _NOT_IN_LOCAL + r"])[^" + _NOT_IN_LOCAL + r"]*+)?@"
    r"(?:\[[^\]\s]*\]|[^" + _NOT_IN_DOMAIN + r"]+)")
_NOT_PLAIN = ('"', "(", ")", "'", "%40", "=40", "\uff20")


def may_hold_address(text: str) -> bool:
    """Whether ``text`` holds one of the forms of @ that the address pattern matches (else no address)."""
    return "@" in text or "\uff20" in text or "%40" in text or "=40" in text


def scrub_contacts(text: str, email: Callable[[str], str], phone: Callable[[str], str]) -> str:
    """``text`` with every e-mail address replaced by ``email(address)`` and every phone (or ID)
    number by ``phone(number)``."""
    if not text:
        return text
    # A leading reply code ("250 13800138000 ok") is kept out of the number it precedes.
    code = LEADING_CODE.match(text)
    head, text = (code.group(0), text[code.end():]) if code else ("", text)
    if may_hold_address(text):  # the address pattern is costly; most replies hold no @ at all
        plain = not any(form in text for form in _NOT_PLAIN)
        text = (_PLAIN_EMAIL if plain else CONTACT_EMAIL).sub(lambda m: email(m.group(0)), text)
    return head + CONTACT_PHONE.sub(lambda m: phone(m.group(0)), text)
