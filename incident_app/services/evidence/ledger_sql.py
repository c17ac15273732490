"""The send ledger's CSV made mostly in SQL: SQLite joins each row's fields with FIELD (and ROW
after the last) while it reads the page and masks the two common address shapes, so Python
touches a row only to name its recipient (SHA-256); the page's replies and reasons are masked in
one regex pass and the page is neutralised and quoted as a whole (records._page_text).

A row the SQL cannot render exactly as :func:`records._csv_row` would (another address shape, a
reply holding a form of @, a time in another form, an unknown state) has ``ok`` 0 or a NULL
middle and is rendered by that function: the output is the same byte for byte, only slower for
those rows."""

from __future__ import annotations

from incident_app.domain.mail import FallbackChannel, SendState
from incident_app.domain.mail.sending import TEXT_SEPARATOR

FIELD, ROW = TEXT_SEPARATOR, "\x1e"  # between fields and after each row, until the page is finished
_FS, _RS = f"char({ord(FIELD)})", f"char({ord(ROW)})"
# A time as to_iso(parse_time(t)) writes it back unchanged: seconds, an offset with a + sign.
_TIME = ("'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]"
         "+[01][0-9]:[0-5][0-9]'")
_STATES = ",".join(f"'{s.value}'" for s in SendState)
_FALLBACKS = ",".join(f"'{c.value}'" for c in FallbackChannel)
_AT_FORMS = ("'@'", "'\uff20'", "'%40'", "'=40'")  # what _may_hold_address looks for


def _plain_text(x: str) -> str:
    """SQL: ``x`` holds no form of @ and no separator, so its scrub is the joined phone pass."""
    return " AND ".join([*(f"instr({x}, {form}) = 0" for form in _AT_FORMS),
                         f"instr({x}, {_FS}) = 0", f"instr({x}, {_RS}) = 0"])


# The address masked as records._hider masks its two fast shapes (a number alone; a plain address
# with at most 4 digits in its domain); NULL for any other shape.
_A, _AT = "to_address", "instr(to_address, '@')"
_LOCAL, _DOMAIN = f"substr({_A}, 1, {_AT} - 1)", f"substr({_A}, {_AT} + 1)"
_MASKED_ADDRESS = (
    f"(CASE WHEN {_A} = '' THEN ''"
    f" WHEN {_A} NOT GLOB '*[^0-9]*' THEN (CASE WHEN length({_A}) >= 7 THEN '***' || substr({_A}, -2) END)"
    f" WHEN {_AT} > 1 AND {_LOCAL} NOT GLOB '*[^A-Za-z0-9._+-]*' AND {_DOMAIN} NOT GLOB '*[^A-Za-z0-9.-]*'"
    f" AND {_DOMAIN} NOT GLOB '*[0-9]*[0-9]*[0-9]*[0-9]*[0-9]*'"
    f" THEN substr({_A}, 1, 1) || '***'"
    f" || (CASE WHEN {_AT} > 3 THEN substr({_A}, {_AT} - 1, 1) ELSE '' END) || substr({_A}, {_AT})"
    " END)")


def _ok(unmask: bool) -> str:
    """SQL, 1 when the row may be rendered from the page's columns."""
    checks = [
        "typeof(recipient_key) = 'text'", f"state IN ({_STATES})", "typeof(attempts) = 'integer'",
        "typeof(in_doubt) = 'integer'", "(last_code IS NULL OR typeof(last_code) = 'integer')",
        f"queued_at GLOB {_TIME}", f"(sent_at IS NULL OR sent_at = '' OR sent_at GLOB {_TIME})",
        f"(fallback IS NULL OR fallback = '' OR fallback IN ({_FALLBACKS}))",
    ]
    if not unmask:
        checks += [_plain_text("COALESCE(last_reply, '')"), _plain_text("COALESCE(reason, '')")]
    return f"IFNULL({' AND '.join(checks)}, 0)"


def page_expressions(unmask: bool) -> str:
    """The SELECT list of one page: id; the recipient (masked: the bytes its reference hashes,
    after the placeholder's "INCIDENT:"; unmasked: the key); the fields from notice_kind to
    last_code, each after FIELD (NULL when a masked address has another shape); the reply; the
    reason; the fields from queued_at on, each after FIELD, then ROW; ok. Texts come raw: the
    page is neutralised and quoted as a whole."""
    address = "to_address" if unmask else _MASKED_ADDRESS
    recipient = "recipient_key" if unmask else "CAST(? || recipient_key AS BLOB)"
    middle = " || ".join(f"{_FS} || {x}" for x in [
        "COALESCE(notice_kind, '')", "COALESCE(notice_version, '')", address, "COALESCE(language, '')",
        "COALESCE(message_id, '')", "state", "attempts", "in_doubt", "COALESCE(last_code, '')"])
    tail = f"{_FS} || queued_at || {_FS} || COALESCE(sent_at, '') || {_FS} || COALESCE(fallback, '') || {_RS}"
    return ", ".join(["id", recipient, middle, "COALESCE(last_reply, '')", "COALESCE(reason, '')", tail,
                      _ok(unmask)])
