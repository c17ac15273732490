"""The text encoding of a provider's or platform's delivery report (``import-sms-report``,
``import-delivery``), decided without guessing wrong.

A report is UTF-8 (with or without BOM) when every byte decodes so. Otherwise it is read as
GB18030 (what Excel saves on Chinese Windows) only if that reading *is Chinese text*: GB18030
decodes most bytes of a Latin-1 / Windows-1252 file without an error ("Réception" becomes
"R閏eption"), so a line whose reading holds characters outside GB2312 (the common simplified
characters and punctuation that Chinese reports use), or a lone Chinese character between Latin
letters, refuses the file, naming it and the line, and asks for the encoding (``--encoding``)
instead. With an encoding given, the file must decode in it entirely (the line of the first bad
byte is named). Read in chunks, never whole."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.services.private_files import open_regular_file

_CHUNK = 1 << 20
# A Chinese character wedged between Latin letters: what Latin-1 bytes read as GB18030 give.
_WEDGED = re.compile(r"[A-Za-z][\u3400-\u9fff\uf900-\ufaff][A-Za-z]")
_DIGITS = re.compile(r"\d{4,}")  # phone numbers in a snippet are masked
ASK = ("save it as CSV UTF-8, or name its encoding with --encoding (for example --encoding cp1252 for"
       " Western European Windows, --encoding gb18030 for Chinese Windows)")


def report_encoding(path: Path, max_bytes: int, encoding: str | None = None) -> str:
    """The codec to read the report at ``path`` with: ``encoding`` when given (checked: the
    whole file must decode in it), else utf-8-sig or gb18030 as the module says; ValidationError
    naming the file and the line otherwise."""
    if encoding:
        return _checked(path, max_bytes, _codec(encoding))
    if _decodes(path, max_bytes, "utf-8"):
        return "utf-8-sig"
    for number, line in _lines(path, max_bytes):
        if line.isascii():
            continue
        try:
            text = line.decode("gb18030")
        except UnicodeDecodeError:
            raise _refused(path, number, "is neither UTF-8 nor GB18030 text") from None
        odd = _odd_reading(text)
        if odd is not None:
            raise _refused(path, number, f"is not UTF-8, and read as GB18030 it is not Chinese text ('{odd}')")
    return "gb18030"


def _codec(encoding: str) -> str:
    """The codec's name; refused (naming --encoding) when Python knows no such codec or when it is
    not a text encoding (rot13, base64, zlib… turn bytes into bytes or text into text: reading a
    report with one fails deep inside the decoder)."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ValidationError.single("--encoding", f"'{encoding[:40]}' is not an encoding Python knows; "
                                     f"{_TEXT_ENCODINGS}") from None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FILE_ENCODINGS:
        raise ValidationError.single("--encoding", f"'{encoding[:40]}' is not a text encoding (it does not turn the"
                                     f" file's bytes into text); {_TEXT_ENCODINGS}")
    return info.name


# Codecs Python counts as text encodings that no spreadsheet or platform saves a report in: they
# decode escapes (a reason's backslashes changed) or domain names, not a file's characters.
_NOT_FILE_ENCODINGS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7"})
_TEXT_ENCODINGS = "give the report's text encoding: utf-8, gb18030, cp1252, latin-1 or utf-16"


def _checked(path: Path, max_bytes: int, codec: str) -> str:
    decoder = codecs.getincrementaldecoder(codec)()
    for number, line in _lines(path, max_bytes):
        try:
            decoder.decode(line)
        except UnicodeError:  # UTF-16/32 without a BOM raise UnicodeError itself, not a decode error
            raise _refused(path, number, f"is not {codec} text") from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeError:
        raise _refused(path, None, f"ends inside a {codec} character") from None
    return "utf-8-sig" if codec == "utf-8" else codec


def _decodes(path: Path, max_bytes: int, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    with open_regular_file(path, max_bytes) as raw:
        try:
            while chunk := raw.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _lines(path: Path, max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(line number from 1, bytes with their newline) of every line, read in chunks (a line split
    across two chunks is joined first). The lines joined are the file exactly, so a decoder fed
    them one by one reads a UTF-16 file (whose newline is two bytes) as a whole."""
    number, rest = 0, b""
    with open_regular_file(path, max_bytes) as raw:
        while chunk := raw.read(_CHUNK):
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                number += 1
                yield number, line + b"\n"
    if rest:
        yield number + 1, rest


def _odd_reading(text: str) -> str | None:
    """A short snippet of ``text`` around what no Chinese report holds, or None when it reads as
    Chinese text: every non-ASCII character in GB2312 and none wedged between Latin letters."""
    wedged = _WEDGED.search(text)
    if wedged is not None:
        return _snippet(text, wedged.start() + 1)
    for index, char in enumerate(text):
        if char >= "\x80":
            try:
                char.encode("gb2312")
            except UnicodeEncodeError:
                return _snippet(text, index)
    return None


def _snippet(text: str, index: int) -> str:
    part = text[max(index - 8, 0):index + 8].strip()
    return _DIGITS.sub(lambda m: "*" * len(m.group()), part)


def _refused(path: Path, line: int | None, what: str) -> ValidationError:
    where = f"line {line}" if line is not None else "file"
    return ValidationError([FieldProblem(where, f"{path.name} {what}; {ASK}")])
