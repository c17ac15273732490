"""Reading an affected-people file as a stream of rows: CSV in UTF-8 (with or without BOM),
GB18030/GBK or UTF-16, or the first sheet of an XLSX workbook. Never loads the whole file.

Whole-file problems (empty, binary, old .xls, unknown encoding, no header) raise
ValidationError naming the file and what to do, before anything is imported."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from incident_app.domain.errors import ValidationError
from incident_app.domain.people import suggest_mapping
from incident_app.services.private_files import NOT_REGULAR_INPUT, InputFileError, open_regular_file

SAMPLE_BYTES = 256 * 1024
HEADER_SCAN_ROWS = 10
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
FILE = "(file)"
EMPTY_MESSAGE = ("the file is empty; it needs a header row (user_id/用户ID, name/姓名, email/邮箱, phone/手机号 …)"
                 " and one row per person")
NO_ROWS_MESSAGE = "the file has a header row but no rows of people; nothing to import"
BINARY_MESSAGE = "this is not a CSV or XLSX file (it contains binary data); export the list as CSV UTF-8 or XLSX"
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


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
        except (UnicodeDecodeError, csv.Error) as exc:
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
        except (UnicodeDecodeError, csv.Error) as exc:
            raise self.explain(exc, number + 1) from None

    def explain(self, exc: BaseException, number: int) -> ValidationError:
        """A reading error at row ``number`` as a message the officer can act on."""
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
        handle = open_regular_file(path)  # a pipe would hang the import, /dev/zero never end it
    except InputFileError:
        raise ValidationError.single(FILE, f"{path}: {NOT_REGULAR_INPUT}") from None
    except FileNotFoundError:
        raise ValidationError.single(FILE, f"{path} does not exist") from None
    except IsADirectoryError:
        raise ValidationError.single(FILE, f"{path} is a folder; choose a CSV or XLSX file") from None
    try:
        head = handle.read(SAMPLE_BYTES)
        size = path.stat().st_size
        if head.startswith(ZIP_MAGIC):
            handle.close()
            return _open_xlsx(path, size)
        return _open_csv(handle, head, size)
    except BaseException:
        handle.close()
        raise


def _open_csv(handle: BinaryIO, head: bytes, size: int) -> TableSource:
    encoding = detect_encoding(head, complete=len(head) < SAMPLE_BYTES)
    sample = head[:4096].decode(encoding, errors="ignore")
    delimiter = _delimiter(sample.splitlines()[0] if sample.strip() else "")
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    # Rows in the file, from the line length of the sample (sizes the dedupe index).
    estimated_rows = size * max(head.count(b"\n"), 1) // max(len(head), 1) + 1
    info = SourceInfo("csv", encoding, delimiter, size, estimated_rows)
    return TableSource(info, csv.reader(text, delimiter=delimiter), text.close, handle.tell, size)


def detect_encoding(head: bytes, *, complete: bool) -> str:
    """utf-8-sig, utf-16, utf-8 or gb18030 (which also reads GBK); rejects binary data."""
    if not head.strip():
        raise ValidationError.single(FILE, EMPTY_MESSAGE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(OLE_MAGIC):
        raise ValidationError.single(FILE, "this is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8")
    if b"\x00" in head:
        raise ValidationError.single(FILE, BINARY_MESSAGE)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return encoding
    raise ValidationError.single(FILE, "cannot tell the text encoding (not UTF-8 or GB18030/GBK); save as CSV UTF-8"
                                 if not _looks_binary(head.decode("latin-1")) else BINARY_MESSAGE)


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
    import zipfile

    import openpyxl  # deferred: only XLSX imports pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError.single(FILE, f"not a readable XLSX workbook ({type(exc).__name__}); "
                                     "save it again from Excel/WPS as .xlsx or CSV UTF-8") from None
    sheet = book.worksheets[0]
    counter = [0]
    info = SourceInfo("xlsx", "xlsx", "", size, sheet.max_row or 1000)
    return TableSource(info, _xlsx_rows(sheet, counter), book.close, lambda: counter[0], sheet.max_row)


def _xlsx_rows(sheet: Any, counter: list[int]) -> Iterator[list[str]]:
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        counter[0] = number
        yield [cell_text(v) for v in values]


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
