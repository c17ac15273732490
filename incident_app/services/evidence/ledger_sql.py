"""The send ledger's CSV made mostly in SQL: SQLite joins each row's fields with FIELD (and ROW
after the last) while it reads the page, so Python touches a row only to name its recipient
(SHA-256) and mask its address; the page's replies and reasons are searched for contacts in a
few passes over the whole page, and the page is neutralised and quoted as a whole
(records._finish).

A row the SQL cannot render exactly as :func:`records._csv_row` would (a time in another form,
an unknown state, a value of another type) has ``ok`` 0 and is rendered by that function: the
output is the same byte for byte, only slower for those rows."""

from __future__ import annotations

from incident_app.domain.mail import FallbackChannel, SendState

FIELD, ROW = "\x1f", "\x1e"  # between fields and after each row, until the page is finished
_FS = f"'{FIELD}'"  # a literal: cheaper than char() per row
# A time as to_iso(parse_time(t)) writes it back unchanged: seconds, an offset with a + sign.
_TIME = ("'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]"
         "+[01][0-9]:[0-5][0-9]'")
_STATES = ",".join(f"'{s.value}'" for s in SendState)
_FALLBACKS = ",".join(f"'{c.value}'" for c in FallbackChannel)


def _ok() -> str:
    """SQL, 1 when the row may be rendered from the page's columns."""
    checks = [
        "typeof(recipient_key) = 'text'", f"state IN ({_STATES})", "typeof(attempts) = 'integer'",
        "typeof(in_doubt) = 'integer'", "(last_code IS NULL OR typeof(last_code) = 'integer')",
        f"queued_at GLOB {_TIME}", f"(sent_at IS NULL OR sent_at = '' OR sent_at GLOB {_TIME})",
        f"(fallback IS NULL OR fallback = '' OR fallback IN ({_FALLBACKS}))",
        f"(updated_at IS NULL OR updated_at = '' OR updated_at GLOB {_TIME})",
        "(channel IS NULL OR typeof(channel) = 'text')",
    ]
    return f"IFNULL({' AND '.join(checks)}, 0)"


def page_expressions(unmask: bool) -> str:
    """The SELECT list of one page: id; the recipient (masked: the bytes its reference hashes,
    after the placeholder's "INCIDENT:"; unmasked: the key); FIELD notice_kind FIELD
    notice_version FIELD; the address as stored; FIELD language ... FIELD last_code FIELD; the
    reply; the reason; FIELD queued_at FIELD sent_at FIELD fallback FIELD
    channel FIELD updated_at (the row's contact_seq, current and ROW are added in Python:
    records.ContactHistory); ok. Texts come raw:
    Python masks the addresses, replies and reasons, and the page is neutralised and quoted as a
    whole (records._finish)."""
    recipient = "recipient_key" if unmask else "CAST(? || recipient_key AS BLOB)"

    def joined(columns: list[str]) -> str:
        return f"{_FS} || " + " || ".join(f"{x} || {_FS}" for x in columns)

    head = joined(["COALESCE(notice_kind, '')", "COALESCE(notice_version, '')"])
    body = joined(["COALESCE(language, '')", "COALESCE(message_id, '')", "state", "attempts", "in_doubt",
                   "COALESCE(last_code, '')"])
    # channel: how the row went out ("email" when empty, as records._csv_row writes it).
    tail = (f"{_FS} || queued_at || {_FS} || COALESCE(sent_at, '') || {_FS} || COALESCE(fallback, '') || {_FS} || "
            f"COALESCE(NULLIF(channel, ''), 'email') || {_FS} || COALESCE(updated_at, '')")
    return ", ".join(["id", recipient, head, "COALESCE(to_address, '')", body, "COALESCE(last_reply, '')",
                      "COALESCE(reason, '')", tail, _ok()])


# -- a whole page in one step (masked packs) -------------------------------------------------
# The quick path reads a page as ONE row of aggregates, each column's values joined with FIELD:
# SQLite builds them in C inside a single sqlite3_step, which runs without the GIL, so the next
# page is read while another thread finishes the previous one in Python (records._quick_text).
# Joining a row's fields with || cost SQLite more than reading them (a new string per ||);
# group_concat of each column appends in place, and Python interleaves the columns with slices.
# The values are checked in Python too, on each column's DISTINCT values (a few dozen a page).
# The inner query names the address once (``address``, '' for NULL) and where its @ is (``at``, 0
# for none): SQLite computes a column of the inner query once per row, but repeats an expression
# written out several times in the aggregate (the mask below used to name the address seven times
# and find its @ three times, a third of the page's time in SQLite).
_INNER = ("COALESCE(to_address, '') AS address", "instr(COALESCE(to_address, ''), '@') AS at")
# hide() of an address that is empty, a number of 7+ ASCII digits (the last two kept) or a plain
# ASCII address (first letter, ***, last letter of a local part longer than 2, @domain): Python
# checks the page's addresses are all of these shapes (records._PLAIN_ADDRESSES) before using it.
_MASKED = ("CASE WHEN at = 0 THEN CASE WHEN address = '' THEN '' ELSE '***' || substr(address, -2) END"
           " WHEN at > 3 THEN substr(address, 1, 1) || '***' || substr(address, at - 1)"
           " ELSE substr(address, 1, 1) || '***' || substr(address, at) END")
QUICK_COLUMNS = ("id", "recipient", "notice_kind", "notice_version", "to_address", "language", "message_id",
                 "state", "attempts", "in_doubt", "last_code", "last_reply", "reason", "queued_at", "sent_at",
                 "fallback", "channel", "updated_at")


def quick_page_sql() -> tuple[str, str]:
    """(the columns of one row, the aggregates of one page) for
    SendLedgerRepository.iter_page_aggregates; one parameter: the reference's "INCIDENT:" prefix.
    The aggregates: max(id), count(*), whether every recipient key is text, the addresses as
    stored (FIELD between them), then per
    :data:`QUICK_COLUMNS` the page's values joined with FIELD (the recipient as the UTF-8 bytes
    its reference hashes — a BLOB, so Python splits and hashes them without encoding each key —,
    the address masked, NULL as '' where NULL is allowed, the channel "email" when empty; a NULL
    state, attempts, in_doubt or queued_at leaves its value out, and the page goes the slow way)."""
    raw = ("id", "recipient_key", "notice_kind", "notice_version", "to_address", "language", "message_id", "state",
           "attempts", "in_doubt", "last_code", "last_reply", "reason", "queued_at", "sent_at", "fallback",
           "channel", "updated_at", *_INNER)
    values = {
        "id": "id", "recipient": "? || recipient_key", "state": "state", "attempts": "attempts",
        "in_doubt": "in_doubt", "queued_at": "queued_at", "channel": "COALESCE(NULLIF(channel, ''), 'email')",
        "to_address": _MASKED, "last_reply": "COALESCE(last_reply, '')",
    }
    joined = [f"group_concat({values.get(c, f'COALESCE({c}, {_EMPTY})')}, {_FS})" for c in QUICK_COLUMNS]
    joined[1] = f"CAST({joined[1]} AS BLOB)"  # the recipients' bytes (the database's text is UTF-8)
    return ", ".join(raw), (f"max(id), count(*), min(typeof(recipient_key) = 'text'),"
                            f" group_concat(address, {_FS}), {', '.join(joined)}")


_EMPTY = "''"
