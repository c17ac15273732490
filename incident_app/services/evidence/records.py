"""Evidence-pack sections for the assessment (with its inputs and the rule versions), the send
ledger (with the relay's replies) and the people counts. Contacts are masked unless the pack is
made with ``--unmask``; the people list itself never goes into a pack, only its counts."""

from __future__ import annotations

import bisect
import csv
import functools
import hashlib
import io
import operator
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import metadata
from itertools import compress, count, repeat
from typing import Any

from incident_app.contact_scrub import LEADING_CODE, scrub_contacts
from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.exports import FORMULA_TRIGGERS
from incident_app.domain.i18n import LANGUAGES
from incident_app.domain.mail import FallbackChannel, SendState, mask_email
from incident_app.domain.mail.sending import mask_phone_in_text
from incident_app.domain.notices import recipient_reference
from incident_app.domain.people.person import mask_address
from incident_app.services.evidence.base import EvidenceFile, EvidenceRequest, Streamed, json_bytes
from incident_app.services.evidence.ledger_sql import FIELD, QUICK_COLUMNS, ROW, page_expressions, quick_page_sql
from incident_app.services.resources import RESOURCES_DIR

LEDGER_PAGE = 5000
LEDGER_COLUMNS = ("row", "recipient", "notice_kind", "notice_version", "to_address", "language", "message_id",
                  "state", "attempts", "in_doubt", "last_code", "last_reply", "reason", "queued_at", "sent_at",
                  "fallback", "channel", "updated_at", "contact_seq", "current")


def rule_versions() -> dict[str, str]:
    """SHA-256 of every rule file the assessment read (and the catalog), so a later reader knows
    exactly which rules produced the result."""
    files = [*sorted((RESOURCES_DIR / "rules").glob("*.json")), RESOURCES_DIR / "catalog.json"]
    return {p.relative_to(RESOURCES_DIR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def assessment_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """The assessment as ``assess`` prints it (both languages), the inputs it was computed from
    and the versions of the rules and code that computed it."""
    services, incident_id = req.services, req.incident_id
    assessment = services.assessment.assess(incident_id)
    files = [(f"assessment/assessment.{lang}.json", json_bytes(services.assessment.to_json(assessment, lang)))
             for lang in LANGUAGES]
    profile = services.profile.get()
    inputs = {
        "computed_at": to_iso(assessment.computed_at),
        "enisa_inputs": services.assessment.enisa_inputs(incident_id).to_dict(),
        "people_counts": {"total": assessment.people.total, "minors": assessment.people.minors,
                          "children": assessment.people.children, "teens": assessment.people.teens,
                          "unreachable": assessment.people.unreachable, "source": assessment.people.source},
        "profile": {"operator_type": profile.operator_type.value, "reply_working_days": profile.reply_working_days,
                    "handling_working_days": profile.handling_working_days},
        "send_ledger_batches": [
            {"kind": b.kind, "version": b.version, "channel": b.channel, "rows": b.rows, "sent": b.sent,
             "last_sent_at": to_iso(b.last_sent_at) if b.last_sent_at else None}
            for b in services.ctx.store.send_ledger.batches(
                incident_id, services.assessment.staff_keys()).get(incident_id, [])],
        "facts_and_decisions": "incident.json and decisions.json in this pack",
    }
    versions = {"rules_sha256": rule_versions(), "breach_desk": _package_version("incident-app"),
                "chinesecalendar": _package_version("chinesecalendar")}
    return [*files, ("assessment/inputs.json", json_bytes(inputs)),
            ("assessment/rule-versions.json", json_bytes(versions))]


def send_ledger_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """Every recipient's state and the relay's last reply (CSV, formulas neutralised) and the
    counts. Addresses are masked, in the replies too, unless the pack is unmasked. The CSV is
    streamed: read in keyset pages and written into the ZIP page by page (a 10,000,000-row
    ledger never sits in memory)."""
    overview = req.services.mail.overview(req.incident_id)
    counts = overview.to_dict() | {"addresses": "unmasked" if req.unmask else "masked"}
    return [("send-ledger/ledger.csv", Streamed(lambda: ledger_csv_chunks(req))),
            ("send-ledger/overview.json", json_bytes(counts))]


# The columns read for the CSV, in the order _csv_row takes them.
_READ = ("id", "incident_id", "recipient_key", "notice_kind", "notice_version", "to_address", "language",
         "message_id", "state", "attempts", "in_doubt", "last_code", "last_reply", "reason", "queued_at",
         "sent_at", "fallback", "channel", "updated_at", "contact_seq")


def ledger_csv_chunks(req: EvidenceRequest) -> Iterator[bytes]:
    """``send-ledger/ledger.csv`` (UTF-8 with BOM, CRLF), one chunk per page of the ledger.

    SQLite joins each row's fields while it reads the page (services/evidence/ledger_sql.py);
    Python adds the recipient's reference, masks the address, scrubs the replies and reasons
    that may hold a contact, and neutralises and quotes the page as a whole. The few rows SQL
    cannot render exactly go through :func:`_csv_row` (same bytes).

    A masked pack takes the quick path (:func:`_quick_pages`): each page is made by SQLite in
    one step on this thread while a second thread finishes the previous page in Python, so the
    two share the machine's cores (SQLite runs without the GIL)."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(LEDGER_COLUMNS)
    first = header.getvalue()
    history = ContactHistory(*req.services.ctx.store.send_ledger.contact_history(req.incident_id))
    for text in _quick_pages(req, history) if not req.unmask else _plain_pages(req, history):
        yield (first + text).encode("utf-8-sig") if first else text.encode("utf-8")
        first = ""
        req.check()
    if first:
        yield first.encode("utf-8-sig")


class ContactHistory:
    """The last two columns of ledger.csv: each row's ``contact_seq`` (0 for the first contact a
    notice version went to for that recipient, 1, 2, … for each corrected one) and ``current``
    (``yes`` when it is the recipient's latest row of that kind and version — the row the sender,
    the exports, the duty and the register read —, ``no`` when a later row replaced it, kept as
    history). Held for the few rows of corrected contacts only (storage ``contact_history``): a
    page none of them falls in gets its two columns at once, without a look at each row."""

    def __init__(self, seqs: dict[int, int], replaced: set[int]) -> None:
        self._seqs, self._replaced = seqs, replaced
        self._ids = sorted({*seqs, *replaced})

    def _touches(self, first: int, last: int) -> bool:
        at = bisect.bisect_left(self._ids, first)
        return at < len(self._ids) and self._ids[at] <= last

    def cells(self, ids: list[int]) -> tuple[list[str], list[str]]:
        """(contact_seq, current) of the rows ``ids`` (ascending), as CSV texts."""
        if not ids or not self._touches(ids[0], ids[-1]):
            return [_FIRST_CONTACT] * len(ids), [_CURRENT] * len(ids)
        return ([str(self._seqs.get(i, 0)) for i in ids],
                [_REPLACED if i in self._replaced else _CURRENT for i in ids])

    def page_cells(self, ids: list[str]) -> tuple[list[str], list[str]]:
        """:meth:`cells` of a page's ids as SQL wrote them (texts, ascending): converted only
        when a corrected row falls in the page."""
        if not ids or not self._touches(int(ids[0]), int(ids[-1])):
            return [_FIRST_CONTACT] * len(ids), [_CURRENT] * len(ids)
        return self.cells(list(map(int, ids)))

    def of(self, row_id: int) -> tuple[int, str]:
        """(contact_seq, current) of one row."""
        return self._seqs.get(row_id, 0), _REPLACED if row_id in self._replaced else _CURRENT


_FIRST_CONTACT, _CURRENT, _REPLACED = "0", "yes", "no"


def _plain_pages(req: EvidenceRequest, history: ContactHistory) -> Iterator[str]:
    """The CSV text of each page, made from one tuple per row (unmasked packs)."""
    ledger = req.services.ctx.store.send_ledger
    for page in ledger.iter_pages(req.incident_id, page_expressions(True), [], chunk=LEDGER_PAGE):
        yield "".join(_page_lines(req, page, history))


def _quick_pages(req: EvidenceRequest, history: ContactHistory) -> Iterator[str]:
    """The CSV text of each page of a masked pack. SQLite renders page N+1 (one step, without
    the GIL) while the worker thread finishes page N (:func:`_quick_text`); a page the quick
    path cannot render exactly (an odd value, a separator inside a field, a time in another
    form, an address of another shape) is made again by :func:`_page_lines`, here (the
    connection belongs to this thread)."""
    ledger = req.services.ctx.store.send_ledger
    prefix = [f"{req.incident_id}:"]
    expressions, aggregates = quick_page_sql()
    pages = ledger.iter_page_aggregates(req.incident_id, expressions, aggregates, prefix, chunk=LEDGER_PAGE)

    def finished(after: int, last: int, made: Future[str | None]) -> str:
        text = made.result()
        if text is None:
            rows = ledger.page_between(req.incident_id, page_expressions(False), prefix, after, last)
            text = "".join(_page_lines(req, rows, history))
        return text

    with ThreadPoolExecutor(1, thread_name_prefix="evidence-ledger") as worker:
        waiting: deque[tuple[int, int, Future[str | None]]] = deque()
        for after, page in pages:
            waiting.append((after, int(page[0]), worker.submit(_quick_text, req.incident_id, page, history)))
            if len(waiting) > 1:
                yield finished(*waiting.popleft())
        while waiting:
            yield finished(*waiting.popleft())


# What hide() masks by shape alone (records._hider), for every address of a page, ASCII only:
# empty, a number of 7+ digits, a plain address not starting like a reply code ("250-").
_ONE_ADDRESS = r"(?:[0-9]{7,}|(?![2-5][0-9][0-9]-)[A-Za-z0-9._+-]+@[A-Za-z.-]*(?:[0-9][A-Za-z.-]*){0,4}|)"
_PLAIN_ADDRESSES = re.compile(f"{_ONE_ADDRESS}(?:{FIELD}{_ONE_ADDRESS})*", re.ASCII)
# The values SQL writes as _csv_row writes them: a known state, attempts and in_doubt as integers
# (a text "01" or a real 1.0 would print otherwise), last_code an integer or empty, a known
# fallback or empty, each time as to_iso(parse_time(t)) writes it back unchanged (sent_at and
# updated_at may be empty).
_INTEGER = "0|-?[1-9][0-9]*"
_TIME = r"[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\+[01][0-9]:[0-5][0-9]"
_CHECKS: dict[str, re.Pattern[str]] = {column: re.compile(pattern, re.ASCII) for column, pattern in {
    "state": "|".join(re.escape(s.value) for s in SendState), "attempts": _INTEGER, "in_doubt": _INTEGER,
    "last_code": f"(?:{_INTEGER})?", "queued_at": _TIME, "sent_at": f"(?:{_TIME})?",
    "fallback": "|".join(["", *(re.escape(c.value) for c in FallbackChannel)]), "updated_at": f"(?:{_TIME})?",
}.items()}
_CHECKED = tuple((QUICK_COLUMNS.index(c), check) for c, check in _CHECKS.items())
_WIDTH = len(QUICK_COLUMNS) + 2  # and contact_seq, current (ContactHistory)
_SEPARATORS = [FIELD] * (_WIDTH - 1) + [ROW]
_REPLY_AT, _REASON_AT = (QUICK_COLUMNS.index(c) for c in ("last_reply", "reason"))


def _quick_text(incident_id: int, page: tuple[Any, ...], history: ContactHistory) -> str | None:
    """The CSV text of one page from its aggregates (ledger_sql.quick_page_sql), or None when
    the page must be made the slow way. Runs on the worker thread: no database here."""
    _last, rows, ok, addresses, *joined = page
    if not ok or not _PLAIN_ADDRESSES.fullmatch(addresses):
        return None  # the masked addresses SQL wrote are hide()'s only for these shapes
    keys: list[bytes] = joined[1].split(_FIELD_BYTE)  # the recipients come as bytes (a BLOB)
    columns: list[list[Any]] = [joined[0].split(FIELD), keys, *(text.split(FIELD) for text in joined[2:])]
    if any(len(values) != rows for values in columns):
        return None  # a value left out (NULL) or holding a separator
    if not all(check.fullmatch(v) for at, check in _CHECKED for v in set(columns[at])):
        return None
    hide = _hider(False)
    columns[1] = _references(incident_id, keys)
    columns += history.page_cells(columns[0])
    texts = list(joined)  # each column's values joined with FIELD, as scrubbed below
    for at in (_REPLY_AT, _REASON_AT):
        scrubbed = _scrubbed(columns[at], hide)
        if scrubbed is not columns[at]:  # a contact masked: the column's text changed
            columns[at], texts[at] = scrubbed, FIELD.join(scrubbed)
    parts: list[str] = [""] * (2 * _WIDTH * rows)
    # The columns after the reference (the id and the reference never need it) are looked at as
    # whole texts: when no value holds the row separator, starts like a formula or needs quotes,
    # the page is joined with its commas and line ends at once, without _finish's passes.
    plain = not any(map(_needs_finishing, texts[2:]))
    parts[1::2] = (_CSV_SEPARATORS if plain else _SEPARATORS) * rows
    for at, values in enumerate(columns):
        parts[2 * at::2 * _WIDTH] = values
    text = "".join(parts)
    if plain:
        return text
    if text.count(ROW) != rows:
        return None  # a value holds the row separator
    return _finish(text).replace(ROW, "\r\n")


_CSV_SEPARATORS = [","] * (_WIDTH - 1) + ["\r\n"]


def _needs_finishing(text: str) -> bool:
    """Whether a column's values (joined with FIELD) hold one that _finish would change or that
    holds the row separator: a formula start, a comma, a quote, a line break, ROW."""
    return (text[:1] in _TRIGGERS_SET or bool(_FORMULA_FIELD.search(text)) or ROW in text
            or any(c in text for c in ',"\r\n'))


def _references(incident_id: int, prefixed_keys: list[bytes]) -> list[str]:
    """:func:`~incident_app.domain.notices.recipient_reference` of a page's recipients at once:
    each key comes from SQL already prefixed "INCIDENT:" and encoded (a call per row would cost
    the page more than the hashing). Each step maps a C function over the page (no Python
    bytecode per row); the hex is upper-cased once for the page ("BD1-" is unchanged by it)."""
    digests = map(_HEXDIGEST, map(hashlib.sha256, prefixed_keys))
    upper = FIELD.join(map(_FIRST_TEN, digests)).upper()
    return list(map(f"BD{incident_id}-".__add__, upper.split(FIELD))) if prefixed_keys else []


_HEXDIGEST = operator.methodcaller("hexdigest")
_FIRST_TEN = operator.itemgetter(slice(0, 10))
_FIELD_BYTE = FIELD.encode("ascii")


def _page_lines(req: EvidenceRequest, page: list[tuple[Any, ...]], history: ContactHistory) -> list[str]:
    """The CSV text of one page of :func:`page_expressions` rows (as a list of parts)."""
    hard = [n for n, r in enumerate(page) if not r[8]]
    # The row's last fields (contact_seq, current) and its end: SQL leaves them out.
    ends = list(map(_row_end, *history.cells([int(r[0]) for r in page])))
    addresses, replies, reasons = [r[3] for r in page], [r[5] for r in page], [r[6] for r in page]
    for n in hard:  # rendered apart; their texts may hold the separators
        addresses[n] = replies[n] = reasons[n] = ""
    if req.unmask:
        lines = [f"{r[0]}{FIELD}{r[1]}{r[2]}{r[3]}{r[4]}{r[5]}{FIELD}{r[6]}{r[7]}{end}"
                 for r, end in zip(page, ends, strict=True)]
    else:
        hide = _hider(False)
        replies, reasons = _scrubbed(replies, hide), _scrubbed(reasons, hide)
        references = _references(req.incident_id, [r[1] for r in page])
        lines = [f"{r[0]}{FIELD}{ref}{r[2]}{_hide_address(address, hide)}{r[4]}{reply}{FIELD}{reason}{r[7]}{end}"
                 for r, ref, address, reply, reason, end in zip(page, references, addresses, replies, reasons, ends,
                                                                 strict=True)]
    for n in hard:
        lines[n] = ROW
    text = "".join(lines)
    if text.count(FIELD) != (len(page) - len(hard)) * (len(LEDGER_COLUMNS) - 1) or text.count(ROW) != len(page):
        return _render_rows(req, page, range(len(page)), history)  # a field holds a separator: the slow way
    text = _finish(text)
    if not hard:
        return [text.replace(ROW, "\r\n")]
    parts = text.split(ROW)
    for n, line in zip(hard, _render_rows(req, page, hard, history), strict=True):
        parts[n] = line[:-2]  # without its CRLF: the join adds it
    return ["\r\n".join(parts)]


def _row_end(seq: str, current: str) -> str:
    return f"{FIELD}{seq}{FIELD}{current}{ROW}"


def _render_rows(req: EvidenceRequest, page: list[tuple[Any, ...]], rows: Iterable[int],
                 history: ContactHistory) -> list[str]:
    """The CSV lines of the rows ``rows`` of ``page``, rendered in Python from their raw columns."""
    numbers = list(rows)
    raw = req.services.ctx.store.send_ledger.raw_by_id([int(page[n][0]) for n in numbers], _READ)
    hide, buffer = _hider(req.unmask), io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = []
    for n in numbers:
        writer.writerow(_csv_row(raw[int(page[n][0])], req.unmask, hide, history))
        lines.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    return lines


_TRIGGERS = "".join(sorted(FORMULA_TRIGGERS))
_TRIGGERS_SET = frozenset(FORMULA_TRIGGERS)
_FORMULA_FIELD = re.compile(FIELD + "[" + re.escape(_TRIGGERS) + "]")
_FORMULA_START = re.compile("(?<=" + FIELD + ")(?=[" + re.escape(_TRIGGERS) + "])")
_NEEDS_QUOTES = re.compile("(?<=" + FIELD + ")[^" + FIELD + ROW + "]*[,\"\r\n][^" + FIELD + ROW + "]*")


def _finish(text: str) -> str:
    """A page of FIELD-separated rows as CSV fields (ROW still between rows): a field starting
    with a formula character gets a quote (:func:`_cell`), one holding a comma, quote or line
    break is quoted as csv.writer quotes it. The regex passes run only on a page that needs them
    (the id, the first field of a row, never does)."""
    if _FORMULA_FIELD.search(text):
        text = _FORMULA_START.sub("'", text)
    if any(c in text for c in ',"\r\n'):
        text = _NEEDS_QUOTES.sub(lambda m: '"' + m.group(0).replace('"', '""') + '"', text)
    return text.replace(FIELD, ",")


def _scrubbed(texts: list[str], hide: Callable[[str], str]) -> list[str]:
    """``hide(t)`` of each text. Most replies and reasons hold neither a form of @ nor seven
    digits close together ("250 2.0.0 Ok: queued as 4F1A2B3C9D"), so scrubbing leaves them as
    they are: a few passes over the page's texts joined (in C) find the others, and only they
    are scrubbed."""
    joined = FIELD.join(texts)
    if not joined.isascii() or joined.count(FIELD) != len(texts) - 1:  # other digits; a separator
        return [hide(t) for t in texts]
    # Digits as 0, the phone pattern's separators (contact_scrub.CONTACT_PHONE: space, tab, - . / ( ))
    # dropped: a phone number becomes 0000000 or longer.
    squeezed = joined.encode("ascii").translate(_DIGITS_AS_ZERO, _PHONE_SEPARATORS)
    suspects: set[int] = set()
    # Which texts hold a form: a C function mapped over the page's texts (no bytecode per text).
    if _SEVEN_DIGITS in squeezed:
        suspects.update(compress(count(), map(bytes.__contains__, squeezed.split(_FIELD_BYTE),
                                              repeat(_SEVEN_DIGITS))))
    for form in _AT_FORMS:  # what may_hold_address looks for (the ASCII ones)
        if form in joined:
            suspects.update(compress(count(), map(str.__contains__, texts, repeat(form))))
    if not suspects:
        return texts
    done = list(texts)
    for n in suspects:
        done[n] = hide(texts[n])
    return done


_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_PHONE_SEPARATORS = b" \t-./()"
_SEVEN_DIGITS = b"0000000"
_AT_FORMS = ("@", "%40", "=40")


def _hider(unmask: bool) -> Callable[[str], str]:
    """Masks every address and phone number in a text (relays echo addresses in any case and
    sometimes other contacts); identity when unmasked. Replies repeat a lot ("250 ok"), so the
    last few thousand answers are remembered."""
    if unmask:
        return lambda text: text

    @functools.lru_cache(maxsize=4096)
    def cached(text: str) -> str:
        return scrub_contacts(text, mask_email, mask_phone_in_text)

    def hide(text: str) -> str:
        # Two shapes make most of a ledger's addresses; for them the result of scrubbing is known
        # without running its patterns. A number alone (an SMS or call row) is one phone number.
        if len(text) >= 7 and text.isascii() and text.isdigit():
            return mask_phone_in_text(text)
        # A plain address is one address, and masked it keeps at most 2 + 4 digits: too few for
        # a phone number. One starting like a reply code ("250-li@...") is not: the scrub keeps
        # the code apart and masks the rest (a plain address has no space; the slice is cheaper).
        if _PLAIN_ADDRESS.fullmatch(text) and not (text[3:4] == "-" and LEADING_CODE.match(text)):
            return mask_email(text)
        return cached(text) if text else text

    return hide


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z.-]*(?:\d[A-Za-z.-]*){0,4}")
_NUMBER = re.compile(r"\+?[0-9][0-9 ()-]{5,}")


def _hide_address(address: str, hide: Callable[[str], str]) -> str:
    """A row's address masked: an e-mail address or a number as :func:`_hider` masks them, and
    anything else — the postal address of a letter handed to the platform — as the people list
    masks an address (the scrub of free text would find no contact in it and leave it whole)."""
    if not address or "@" in address or _NUMBER.fullmatch(address):
        return hide(address)
    return mask_address(address) or ""


@functools.lru_cache(maxsize=4096)
def _iso(stored: str) -> str:
    """A stored time as the pack writes it, neutralised (rows of one batch share their queue
    time, rows sent in one second their send time)."""
    return _cell(to_iso(parse_time(stored)))


_STATES = {s.value: s.value for s in SendState}
_FALLBACKS = {c.value: c.value for c in FallbackChannel}


def _cell(text: str) -> str:
    """:func:`neutralise_cell` of a text (the CSV's columns are texts, integers or None)."""
    return "'" + text if text and text[0] in FORMULA_TRIGGERS else text


def _csv_row(raw: tuple[Any, ...], unmask: bool, hide: Callable[[str], str], history: ContactHistory) -> list[Any]:
    """One CSV row, formulas neutralised, from the raw columns :data:`_READ`: the values a
    LedgerEntry of the row gives, without building one per row (the pack reads millions)."""
    (row_id, incident_id, key, kind, version, address, language, message_id, state, attempts, in_doubt,
     last_code, reply, reason, queued_at, sent_at, fallback, channel, updated_at, contact_seq) = raw
    # The recipient key may be a person's e-mail or phone (no user id on file): a masked pack shows
    # the reference printed in that person's notice instead, which is enough to find them later.
    recipient = _cell(key) if unmask else recipient_reference(int(incident_id), key)  # "BD…": no formula
    address = address if unmask else _hide_address(address, hide)
    return [int(row_id), recipient, _cell(kind), _cell(version), _cell(address), _cell(language or ""),
            _cell(message_id), _STATES[state], int(attempts), int(in_doubt),
            None if last_code is None else int(last_code), _cell(hide(reply)) if reply else "",
            _cell(hide(reason)) if reason else "", _iso(queued_at), _iso(sent_at) if sent_at else None,
            _FALLBACKS[fallback] if fallback else None,
            # How the row went out (email, sms, phone, platform) and when its state last changed:
            # a platform failure's time is the platform's, kept only here (sent_at keeps the
            # delivery time of a row reported delivered before it bounced, else stays empty).
            _cell(channel or "email"), _iso(updated_at) if updated_at else None,
            # Which contact of the recipient's this row went to, and whether it is their latest.
            int(contact_seq or 0), history.of(int(row_id))[1]]


def people_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """How many people, minors, per channel, unreachable, and each import's counts — never a
    name or a contact."""
    people = req.services.people
    last = people.last_import(req.incident_id)
    last_import = None if last is None else {
        k: last.get(k) for k in ("file_name", "format", "encoding", "status", "started_at", "counts")}
    return [("people/summary.json", json_bytes({
        "summary": people.summary(req.incident_id).to_dict(), "last_import": last_import,
        "note": "counts only: the list of people is never part of an evidence pack"}))]
