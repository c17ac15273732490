"""E-mail addresses: the one normaliser the people import and the sender both use, so an address
the import keeps is one the sender accepts, and the other way round.

Fast path first (a million-row import checks a million addresses): a plain ASCII dot-atom address
matches a regex in well under a microsecond. Only what the regex does not accept — internationalised
domains such as ``例子.中国`` or ``公司.公司``, ``xn--`` domains, full-width characters — goes to
``email-validator`` (about 50x slower), syntax only, never DNS.

Decision on SMTPUTF8: local parts (before the @) must be ASCII. Notices are sent as 7-bit messages
that every relay accepts; a non-ASCII local part (``用户@例子.中国``) could only be delivered by a
relay that offers SMTPUTF8, and it would fail at sending time. Such an address is refused when it
is imported (the report says so), so the person is counted and reached by SMS or letter instead.
Internationalised domains are accepted, stored in their Unicode form (``zhang@例子.中国``; an
``xn--`` spelling of the same domain gives the same stored address) and sent in their ASCII
(punycode) form, see :func:`ascii_address`."""

from __future__ import annotations

import re
import unicodedata

MAX_ADDRESS = 254

# RFC 5322 dot-atom local part, then LDH labels and a letter TLD: no leading, trailing or
# doubled dots anywhere (``a..b@x.com`` is refused here and by the validator alike).
EMAIL_PATTERN = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_FAST = EMAIL_PATTERN.fullmatch
NON_ASCII_LOCAL = "the part before the @ is not ASCII; such an address needs SMTPUTF8, which notices do not use"


class AddressRejected(ValueError):  # noqa: N818 - reads as what happened to the address
    """Not a usable e-mail address; ``reason`` says why in English (for logs and the sender),
    ``code`` is ``invalid`` or ``non_ascii_local`` (an SMTPUTF8 address, see the module notes)."""

    def __init__(self, reason: str, code: str = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def normalise_email(raw: str) -> str | None:
    """The stored form of an address (lower case, full-width characters folded, IDN domains in
    Unicode), None when ``raw`` is blank. Raises :class:`AddressRejected` for anything else."""
    text = raw.strip()
    if not text:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("。", ".")
    text = text.lower()
    if len(text) <= MAX_ADDRESS and text.isascii() and _FAST(text):
        return text
    return _validated(text)


def _validated(text: str) -> str:
    """The slow path: cheap refusals first (a million-row file may hold thousands of broken
    addresses), then ``email-validator`` for internationalised domains."""
    local, _, domain = text.rpartition("@")
    if (not local or "." not in domain or len(text) > MAX_ADDRESS or not text.isprintable()
            or any(c.isspace() for c in text)):
        raise AddressRejected("not one address of the form local@domain")
    if not local.isascii():
        raise AddressRejected(NON_ASCII_LOCAL, "non_ascii_local")
    if domain.isascii() and "xn--" not in domain:
        # An ASCII address the regex refused: the validator has nothing more to accept (same
        # dot-atom and label rules), so it is not asked.
        raise AddressRejected("not a valid address (local@domain.tld, no doubled or edge dots)")
    return by_validator(text)


def by_validator(text: str) -> str:
    """``email-validator``'s verdict and stored form (syntax and IDNA rules, no DNS)."""
    from email_validator import EmailNotValidError, validate_email  # deferred: rarely needed

    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise AddressRejected(str(exc)) from None
    tld = checked.ascii_domain.rpartition(".")[2]
    if len(tld) < 2 or not (tld.isalpha() or tld.startswith("xn--")):
        # Same rule as the fast path: a top-level domain of letters (or an IDN A-label).
        raise AddressRejected("the domain does not end in a top-level domain such as .cn or .中国")
    return f"{checked.local_part}@{checked.domain}".lower()


def is_email_address(value: str) -> bool:
    """``value`` is exactly one address as stored (no spaces, display name, list or line break)."""
    if not value or value != value.strip() or not value.isprintable():
        return False
    try:
        return normalise_email(value) is not None
    except AddressRejected:
        return False


def ascii_address(address: str) -> str:
    """The form an SMTP envelope and a 7-bit To: header carry: the domain as IDNA A-labels
    (``zhang@xn--fsqu00a.xn--fiqs8s``). ASCII addresses come back unchanged."""
    if address.isascii():
        return address
    local = address.rpartition("@")[0]
    if not local.isascii():
        raise AddressRejected(NON_ASCII_LOCAL, "non_ascii_local")
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise AddressRejected(str(exc)) from None
    return f"{local}@{checked.ascii_domain}"
