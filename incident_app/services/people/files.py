"""Reading an affected-people file as a stream of rows: CSV in UTF-8 (with or without BOM),
UTF-16, GB18030/GBK, Big5 or Shift-JIS, or the first sheet of an XLSX workbook. Never loads the
whole file.

Whole-file problems (empty, binary, old .xls, unknown encoding, no header, not a regular file,
an XLSX inflating beyond the limits) raise ValidationError naming the file and what to do, before
anything is imported.

Encodings: the first guess comes from a sample (valid UTF-8 is UTF-8; otherwise charset-normalizer
chooses among GB18030, Big5 and Shift-JIS, which all decode each other's bytes as mojibake without
an error). Then every row must decode in that one encoding: the first row that does not — or that
is really UTF-8 inside a legacy file, or legacy text that happens to be valid UTF-8 — stops the
import with :class:`Undecodable`, which names the row and the encodings tried."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from incident_app.domain.errors import ValidationError
from incident_app.domain.people import suggest_mapping
from incident_app.services.private_files import InputFileError, open_regular_file

SAMPLE_BYTES = 256 * 1024
CHUNK_BYTES = 256 * 1024  # small: each process holds a chunk in ~4 copies (bytes, text, StringIO)
MAX_LINE_BYTES = 16 * 1024 * 1024  # no line break within 16 MB: not a table of people
HEADER_SCAN_ROWS = 10
# Guards against files that inflate (a 1 MB XLSX once used 10 GB): Excel's own sheet limits, a
# cap on the text every XLSX cell shares (held in memory while reading), on the uncompressed
# sheet, on the columns a row may have, and on one cell (Excel's 32,767 characters).
MAX_SHEET_ROWS = 1_048_576
MAX_COLUMNS = 500
MAX_CELL_CHARS = 32_767
MAX_SHARED_STRINGS_BYTES = 256 * 1024 * 1024
MAX_SHEET_XML_BYTES = 4 * 1024 * 1024 * 1024
MAX_CSV_FIELD = 1024 * 1024
MIN_LEGACY_CHARS = 6  # fewer non-ASCII characters than this cannot tell GBK from Big5 reliably
# Names shown to the officer -> Python codecs (the Windows supersets of Big5 and Shift-JIS).
CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030", "big5": "cp950", "shift_jis": "cp932"}
TRIED = ("utf-8", "gb18030", "big5", "shift_jis")
_LEGACY = ("gb18030", "big5", "shift_jis")
_DETECTED = {"gb18030": "gb18030", "cp950": "big5", "big5": "big5", "cp932": "shift_jis", "shift_jis": "shift_jis"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
FILE = "(file)"
EMPTY_MESSAGE = ("the file is empty; it needs a header row (user_id/用户ID, name/姓名, email/邮箱, phone/手机号 …)"
                 " and one row per person")
NO_ROWS_MESSAGE = "the file has a header row but no rows of people; nothing to import"
BINARY_MESSAGE = "this is not a CSV or XLSX file (it contains binary data); export the list as CSV UTF-8 or XLSX"
UNKNOWN_ENCODING = ("cannot tell the text encoding (tried UTF-8, GB18030/GBK, Big5, Shift-JIS); save the file as "
                    "CSV UTF-8")
NOT_REGULAR = "is not a regular file (a pipe, socket or device); save the list as a CSV or XLSX file and choose that"
csv.field_size_limit(MAX_CSV_FIELD)


class Undecodable(ValueError):  # noqa: N818 - reads as what the row is
    """A row whose bytes are not in the file's encoding. ``reads_as`` names an encoding it does
    read in (a file mixing encodings), if any."""

    def __init__(self, encoding: str, reads_as: str | None) -> None:
        super().__init__(f"not {encoding} text")
        self.encoding = encoding
        self.reads_as = reads_as


class TooLarge(ValueError):  # noqa: N818
    """A row or cell beyond the limits above (``message`` says which and what to do)."""


class CutOffQuote(csv.Error):
    """The file ended inside a quoted cell: a quote opened and never closed (a file cut off, or a
    stray quote). Python's csv reader would silently end the cell there and hand the row on,
    the rest of the row's cells swallowed into one."""


READ_ERRORS = (UnicodeDecodeError, csv.Error, Undecodable, TooLarge)
# A last line no real file holds (a Unicode noncharacter): read after the file, it comes back as
# a row of its own unless the file ended inside a quoted cell, which then swallows it.
_END = "\ufdd0end of file\ufdd0"


def _closed_quotes(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    """The CSV rows of ``lines``, streamed; raises :class:`CutOffQuote` instead of yielding a last
    row whose quoted cell the file never closed."""
    for row in csv.reader(itertools.chain(lines, (_END,)), delimiter=delimiter):
        if row and row[-1].endswith(_END):
            if len(row) == 1 and row[0] == _END:
                return
            raise CutOffQuote("the file ends inside a quoted cell")
        yield row


@dataclass(frozen=True)
class SourceInfo:
    """What was detected: ``kind`` csv|xlsx, the text encoding (CSV), the delimiter."""

    kind: str
    encoding: str
    delimiter: str
    size: int
    estimated_rows: int = 0


class TableSource:
    """Rows of one file: ``header`` (cells of the header row, spreadsheet row ``header_row``)
    and ``records()``, every later row in order — blank ones included, so a consumer counting
    them knows each row's number as a spreadsheet shows it. ``position``/``total`` drive
    progress; :meth:`explain` turns a decoding error met while reading into a ValidationError."""

    def __init__(self, info: SourceInfo, records: Iterator[list[str]], closer: Any,
                 position: Any, total: int | None) -> None:
        self.info = info
        self._records = records
        self._closer = closer
        self._position = position
        self.total = total
        self.header_row, self.header = self._find_header()

    def _find_header(self) -> tuple[int, list[str]]:
        """The first row naming a user-id or name column within the first few non-blank rows
        (Excel sheets often carry a title above the header, and Excel's CSV a 'sep=' line);
        failing that, the first non-blank row, so the error lists what the file calls its
        columns. Rows above the header are not data."""
        seen: list[list[str]] = []
        non_blank = 0
        try:
            for cells in self._records:
                seen.append(cells)
                if not any(c.strip() for c in cells):
                    continue
                if _names_a_person(cells):
                    return len(seen), [c.strip() for c in cells]
                non_blank += 1
                if non_blank == HEADER_SCAN_ROWS:
                    break
        except READ_ERRORS as exc:
            raise self.explain(exc, len(seen) + 1) from None
        first = next((i for i, cells in enumerate(seen) if any(c.strip() for c in cells)), None)
        if first is None:
            raise ValidationError.single(FILE, EMPTY_MESSAGE)
        self._records = itertools.chain(seen[first + 1:], self._records)
        return first + 1, [c.strip() for c in seen[first]]

    def records(self) -> Iterator[list[str]]:
        """The rows after the header, raw (the importer's loop iterates the csv reader itself)."""
        return self._records

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) of the non-blank rows after the header."""
        number = self.header_row
        try:
            for cells in self._records:
                number += 1
                if any(cells):
                    yield number, cells
        except READ_ERRORS as exc:
            raise self.explain(exc, number + 1) from None

    def explain(self, exc: BaseException, number: int) -> ValidationError:
        """A reading error at row ``number`` as a message the officer can act on."""
        if isinstance(exc, Undecodable):
            tried = ", ".join([exc.encoding] + [e for e in TRIED if e not in (exc.encoding, "utf-8-sig")])
            reads = f" (it reads as {exc.reads_as})" if exc.reads_as else ""
            return ValidationError.single(
                FILE, f"this row is not {exc.encoding} text like the rows before it{reads}: the file mixes "
                f"encodings, and no one encoding reads every row (tried {tried}); nothing was imported. Save the "
                "whole file in one encoding (CSV UTF-8) and import again", row=number)
        if isinstance(exc, CutOffQuote):
            return ValidationError.single(
                FILE, "the row is cut off inside a quoted cell: a \" opens a cell and the file ends before it"
                " closes, so the row's later cells would be read into that one; nothing was imported. Check the"
                " file is complete (copy it again), or close the quote, and import again", row=number)
        if isinstance(exc, TooLarge):
            return ValidationError.single(FILE, str(exc), row=number)
        if isinstance(exc, UnicodeDecodeError):
            # Text is decoded a chunk ahead of the CSV parser, so the row is approximate.
            return ValidationError.single(
                FILE, f"from about row {number} on, the bytes are not {self.info.encoding} text; save the whole file"
                " in one encoding (CSV UTF-8)")
        return ValidationError.single(FILE, f"row {number}: unreadable CSV ({exc})")

    def position(self) -> int:
        return int(self._position())

    def close(self) -> None:
        self._closer()

    def __enter__(self) -> TableSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_table(path: Path) -> TableSource:
    """Detect the format and encoding of ``path`` and open it for streaming."""
    try:
        handle = open_regular_file(path)
    except FileNotFoundError:
        raise ValidationError.single(FILE, f"{path} does not exist") from None
    except IsADirectoryError:
        raise ValidationError.single(FILE, f"{path} is a folder; choose a CSV or XLSX file") from None
    except PermissionError:
        raise ValidationError.single(FILE, f"{path} cannot be read (permission denied)") from None
    except InputFileError:
        raise ValidationError.single(FILE, f"{path} {NOT_REGULAR}") from None
    try:
        head = handle.read(SAMPLE_BYTES)
        size = os.fstat(handle.fileno()).st_size
        if head.startswith(ZIP_MAGIC):
            handle.close()
            return _open_xlsx(path, size)
        return _open_csv(handle, head, size)
    except BaseException:
        handle.close()
        raise


def _open_csv(handle: BinaryIO, head: bytes, size: int) -> TableSource:
    encoding = detect_encoding(head, complete=len(head) < SAMPLE_BYTES)
    sample = head[:4096].decode(CODECS.get(encoding, encoding), errors="ignore").lstrip("\ufeff")
    delimiter = _delimiter(sample.splitlines()[0] if sample.strip() else "")
    handle.seek(0)
    # Rows in the file, from the line length of the sample (sizes the dedupe index).
    estimated_rows = size * max(head.count(b"\n"), 1) // max(len(head), 1) + 1
    info = SourceInfo("csv", encoding, delimiter, size, estimated_rows)
    if encoding == "utf-16":
        text = io.TextIOWrapper(handle, encoding=encoding, newline="")
        return TableSource(info, _closed_quotes(text, delimiter), text.close, handle.tell, size)
    lines = itertools.chain.from_iterable(
        io.StringIO(chunk, newline="") for chunk in decoded_chunks(handle, encoding))
    return TableSource(info, _closed_quotes(lines, delimiter), handle.close, handle.tell, size)


def decoded_chunks(handle: BinaryIO, encoding: str) -> Iterator[str]:
    """The file as text, about 256 KB of whole lines at a time, every line strictly in
    ``encoding``. At the first line that is not, the text before it is yielded and then
    :class:`Undecodable` raised: the CSV reader has taken every earlier row by then, so the
    caller's row count names the bad row exactly. (Line breaks are safe cut points: no byte of
    a multi-byte character in these encodings is 0x0A.)"""
    codec = CODECS[encoding]
    if encoding == "utf-8-sig":
        handle.read(len(codecs.BOM_UTF8))
    rest = b""
    while True:
        block = handle.read(CHUNK_BYTES)
        data = rest + block
        if not data:
            return
        cut = data.rfind(b"\n") + 1 if block else len(data)
        if not cut:
            if len(data) > MAX_LINE_BYTES:
                raise TooLarge(f"no line break within {MAX_LINE_BYTES // 2**20} MB; this is not a CSV table of "
                               "people (or uses old Mac line ends): save it again as CSV UTF-8")
            rest = data
            continue
        data, rest = data[:cut], data[cut:]
        yield from _checked_chunk(data, encoding, codec)
        if not block:
            return


def _checked_chunk(data: bytes, encoding: str, codec: str) -> Iterator[str]:
    """``data`` (whole lines) decoded; the text before a bad line, then Undecodable."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        if start:
            yield data[:start].decode(codec)
        raise Undecodable(encoding, _reads_as(_line_at(data, start), encoding)) from None
    if data.isascii():
        yield text
        return
    bad = _foreign_line(data, codec)
    if bad is None:
        yield text
        return
    start, reads_as = bad
    if start:
        yield data[:start].decode(codec)
    raise Undecodable(encoding, reads_as)


def _line_at(data: bytes, start: int) -> bytes:
    end = data.find(b"\n", start)
    return data[start:] if end < 0 else data[start:end]


def _reads_as(line: bytes, encoding: str) -> str | None:
    """The first other candidate encoding the line decodes in (what the message suggests)."""
    for other in TRIED:
        if other != encoding and CODECS[other] != CODECS[encoding]:
            try:
                line.decode(CODECS[other])
            except UnicodeDecodeError:
                continue
            return other
    return None


# Characters a real Chinese/Japanese/Korean row consists of: ASCII, the middle dot of
# transliterated names, general and CJK punctuation, kana, ideographs, hangul, full-width forms.
_CJK_ROW = re.compile(r"[\x00-\x7f\u00b7\u2000-\u206f\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
                      r"\uf900-\ufaff\uff00-\uffef]*")
_WIDE = re.compile(r"[\u0800-\uffff]")
# Characters a misreading produces but lists of people practically never hold: half-width
# katakana, private-use code points, rare CJK extension A, replacement characters, Cyrillic or
# Greek from the legacy symbol rows and other non-CJK letters.
_ODD = re.compile(r"[^\x00-\x7f\u00b7\u2000-\u206f\u3000-\u30ff\u4e00-\u9fff\uac00-\ud7af\uff01-\uff60"
                  r"\uffe0-\uffef]")
# What GBK bytes misread as UTF-8 turn into: Latin Extended, IPA, Greek, Cyrillic, Armenian,
# Hebrew (never CJK: the common hanzi's lead bytes are UTF-8 two-byte leads).
_GBK_AS_UTF8 = re.compile(r"[\u0100-\u07ff]")
_NOT_TWO_BYTE_LEAD = bytes(b for b in range(256) if not 0xC4 <= b <= 0xDF)  # leads of U+0100..U+07FF
_HANZI = re.compile(r"[\u4e00-\u9fff]")


def _foreign_line(data: bytes, codec: str) -> tuple[int, str] | None:
    """(offset, encoding) of the first line of a chunk that decoded without error but is in
    another encoding: a UTF-8 row inside a legacy file (GB18030 reads UTF-8 bytes as mojibake
    without complaint), or a GBK row that happens to be valid UTF-8 inside a UTF-8 file."""
    if codec == "utf-8":
        if not data.translate(None, _NOT_TWO_BYTE_LEAD):
            # The common case, decided by one C-level pass over the bytes (6x faster than a
            # regex over the text): no UTF-8 lead byte of U+0100..U+07FF anywhere in the chunk.
            return None
        check, other = _is_gbk_misread, "gb18030"
    else:
        check, other = _is_utf8_misread, "utf-8"
    offset = 0
    for line in data.splitlines(keepends=True):
        if not line.isascii() and check(line):
            return offset, other
        offset += len(line)
    return None


def _is_utf8_misread(line: bytes) -> bool:
    """A line of a legacy file that is really UTF-8 CJK text: valid UTF-8 with at least one
    three-byte character and nothing but CJK-row characters. (GBK/Big5 rows are almost never
    valid UTF-8 of that shape: their common characters' lead bytes start two-byte sequences.)"""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(_WIDE.search(text)) and _CJK_ROW.fullmatch(text) is not None


def _is_gbk_misread(line: bytes) -> bool:
    """A line of a UTF-8 file that is really GBK: its UTF-8 reading has Greek/Cyrillic/Hebrew-like
    letters, and as GB18030 it is nothing but common (GB2312) hanzi and ASCII. Real Cyrillic or
    Latin-extended names fail the second test (their bytes are not GB2312 pairs)."""
    try:
        text = line.decode("gb18030")
    except UnicodeDecodeError:
        return False
    if not _GBK_AS_UTF8.search(line.decode("utf-8")) or not _HANZI.search(text):
        return False
    for char in text:
        if char >= "\x80":
            if not _HANZI.match(char):
                return False
            try:
                char.encode("gb2312")
            except UnicodeEncodeError:
                return False
    return True


def detect_encoding(head: bytes, *, complete: bool) -> str:
    """utf-8-sig, utf-16, utf-8, gb18030 (which also reads GBK), big5 or shift_jis; rejects
    binary data and text in other encodings."""
    if not head.strip():
        raise ValidationError.single(FILE, EMPTY_MESSAGE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(OLE_MAGIC):
        raise ValidationError.single(FILE, "this is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8")
    if head.count(b"\x00") > max(2, len(head) // 1000):
        # Binary (or UTF-16 without its BOM). A stray NUL or two in a text file is removed from
        # its cell with a report line instead (see rows.py).
        raise ValidationError.single(FILE, BINARY_MESSAGE)
    cut = head.rfind(b"\n") + 1
    sample, final = (head, True) if complete or not cut else (head[:cut], True)
    if not cut and not complete:
        final = False  # one long line: the sample may end inside a character
    utf8 = _decodes(sample, "utf-8", final) or _starts_as_utf8(sample)
    encoding = "utf-8" if utf8 else _legacy_guess(sample, final)
    if encoding is None:
        raise ValidationError.single(FILE, BINARY_MESSAGE if _looks_binary(head.decode("latin-1"))
                                     else UNKNOWN_ENCODING)
    # errors="replace": a mixed sample is refused later, at its first foreign row, by number.
    if _looks_binary(codecs.getincrementaldecoder(CODECS[encoding])("replace").decode(sample, final=final)):
        raise ValidationError.single(FILE, BINARY_MESSAGE)
    return encoding


def _decodes(sample: bytes, codec: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(codec)().decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _starts_as_utf8(sample: bytes) -> bool:
    """The first line with non-ASCII bytes is UTF-8 CJK text: the file starts as UTF-8 (and a
    later legacy row is refused, by number, when the rows are read)."""
    line = next((line for line in sample.splitlines() if not line.isascii()), b"")
    return _is_utf8_misread(line)


def _legacy_guess(sample: bytes, final: bool) -> str | None:
    """GB18030, Big5 or Shift-JIS: the one the sample decodes in, or charset-normalizer's choice
    among those it does (each decodes much of the others' bytes without an error)."""
    # UTF-8 rows inside a legacy file would make every candidate look chaotic: guess from the
    # other rows (the row-by-row check then refuses the file at the first UTF-8 row).
    sample = b"".join(line for line in sample.splitlines(keepends=True)
                      if line.isascii() or not _is_utf8_misread(line)) or sample
    candidates = [e for e in _LEGACY if _decodes(sample, CODECS[e], final)]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    from charset_normalizer import from_bytes  # deferred: only non-UTF-8 files need it

    ranked = [_DETECTED[r.encoding] for r in from_bytes(sample, cp_isolation=[CODECS[e] for e in candidates])
              if r.encoding in _DETECTED]
    if not ranked:
        return None
    # On a small sample charset-normalizer can rank a misreading first (Big5 names read as
    # Shift-JIS half-width katakana): prefer the reading with the fewest characters no real
    # list of people has, then its ranking.
    penalties = {e: len(_ODD.findall(sample.decode(CODECS[e], errors="replace"))) for e in ranked}
    best = min(ranked, key=lambda e: (penalties[e], ranked.index(e)))
    tied = [e for e in ranked if penalties[e] == penalties[best]]
    if len(tied) > 1 and sum(1 for byte in sample if byte >= 0x80) < 2 * MIN_LEGACY_CHARS:
        return None  # a name or two: too little text to tell these encodings apart safely
    return best


def _names_a_person(cells: list[str]) -> bool:
    mapping = suggest_mapping(cells)
    return mapping.index_of("user_id") is not None or mapping.index_of("name") is not None


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    return controls > max(2, len(text) // 100)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_xlsx(path: Path, size: int) -> TableSource:
    import openpyxl  # deferred: only XLSX imports pay for it

    sheet_bytes = _check_xlsx_sizes(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError.single(FILE, f"not a readable XLSX workbook ({type(exc).__name__}); "
                                     "save it again from Excel/WPS as .xlsx or CSV UTF-8") from None
    try:
        sheet = book.worksheets[0]
        declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
    except BaseException:
        book.close()
        raise
    if declared_rows > MAX_SHEET_ROWS or declared_columns > MAX_COLUMNS:
        declared_rows = 0
    # Never trust the declared dimension: A1:XFD1048576 would make openpyxl pad every row to
    # 16,384 cells and size the import for a million rows, and a too-small one would silently
    # cut off the cells beyond it. Read the cells that are really there.
    sheet.reset_dimensions()
    # A row takes at least ~20 bytes of sheet XML: no more rows than that can be in the file.
    rows = min(declared_rows or MAX_SHEET_ROWS, sheet_bytes // 20 + 1)
    counter = [0]
    info = SourceInfo("xlsx", "xlsx", "", size, rows or 1000)
    return TableSource(info, _xlsx_rows(sheet, counter), book.close, lambda: counter[0], rows)


def _check_xlsx_sizes(path: Path) -> int:
    """Refuse a workbook whose parts inflate beyond the limits (before openpyxl reads the shared
    strings into memory); returns the uncompressed size of the first sheet's XML."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError.single(FILE, f"not a readable XLSX workbook ({type(exc).__name__}); "
                                     "save it again from Excel/WPS as .xlsx or CSV UTF-8") from None
    shared = sum(n for name, n in parts.items() if name.lower().endswith("sharedstrings.xml"))
    if shared > MAX_SHARED_STRINGS_BYTES:
        raise ValidationError.single(FILE, (
            f"the workbook's text table unpacks to {shared // 2**20:,} MB (limit "
            f"{MAX_SHARED_STRINGS_BYTES // 2**20} MB); a list of people that large must be saved as CSV UTF-8"))
    sheets = [n for name, n in parts.items() if name.lower().startswith("xl/worksheets/") and name.endswith(".xml")]
    biggest = max(sheets, default=0)
    if biggest > MAX_SHEET_XML_BYTES:
        raise ValidationError.single(FILE, (
            f"a sheet unpacks to {biggest // 2**20:,} MB (limit {MAX_SHEET_XML_BYTES // 2**20:,} MB); "
            "save the list as CSV UTF-8"))
    return biggest


def _xlsx_rows(sheet: Any, counter: list[int]) -> Iterator[list[str]]:
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        counter[0] = number
        if number > MAX_SHEET_ROWS:
            raise TooLarge(f"the sheet has more than {MAX_SHEET_ROWS:,} rows (Excel's limit); the file is damaged")
        if len(values) > MAX_COLUMNS:
            values = _trimmed(values)
        cells = [cell_text(v) for v in values]
        if any(len(c) > MAX_CELL_CHARS for c in cells):
            raise TooLarge(f"a cell holds more than {MAX_CELL_CHARS:,} characters (Excel's limit per cell); the "
                           "file is damaged or not a list of people")
        yield cells


def _trimmed(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row padded far out (a stray cell at column XFD): empty cells at the end are dropped;
    real values beyond MAX_COLUMNS are refused rather than ignored."""
    last = max((i for i, v in enumerate(values) if v is not None and v != ""), default=-1)
    if last >= MAX_COLUMNS:
        raise TooLarge(f"a row has values beyond column {MAX_COLUMNS}; a list of people has far fewer columns: "
                       "delete the stray cells or save the list as CSV UTF-8")
    return values[:last + 1]


def cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV would hold; formulas stay as their text ('=...')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed as numbers come back as 13800138000.0
    return str(value)
