"""Our notice HTML (sections, headings, paragraphs, lists, the drill banner) read back as a flat
list of blocks, so TXT and DOCX exports say exactly what the HTML says."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser


class BlockKind(StrEnum):
    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    ITEM = "item"
    BANNER = "banner"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    element: str = ""  # the data-element of the enclosing section


_BLOCK_TAGS = {"h1": BlockKind.TITLE, "h2": BlockKind.HEADING, "h3": BlockKind.HEADING, "p": BlockKind.PARAGRAPH,
               "li": BlockKind.ITEM, "td": BlockKind.PARAGRAPH, "th": BlockKind.PARAGRAPH}
_SKIP = {"head", "style", "script", "title"}


class _BlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._kind: BlockKind | None = None
        self._parts: list[str] = []
        self._skip = 0
        self._sections: list[str] = []
        self._banner: list[str] = []  # tags opened as the drill banner, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("data-drill") == "true" or "drill" in (values.get("class") or "").split():
            self._banner.append(tag)
        if tag in _SKIP:
            self._skip += 1
        elif tag == "section":
            self._sections.append(values.get("data-element") or "")
        elif tag == "br":
            self._parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._flush()
            self._kind = _BLOCK_TAGS[tag]

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "section" and self._sections:
            self._flush()
            self._sections.pop()
        elif tag in _BLOCK_TAGS:
            self._flush()
        if self._banner and self._banner[-1] == tag:
            self._flush()
            self._banner.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._parts.append(data)

    def _flush(self) -> None:
        text = "\n".join(" ".join(line.split()) for line in "".join(self._parts).split("\n")).strip()
        if text and self._kind is not None:
            kind = BlockKind.BANNER if self._banner else self._kind
            self.blocks.append(Block(kind, text, self._sections[-1] if self._sections else ""))
        self._parts = []
        self._kind = None


def html_blocks(html: str) -> list[Block]:
    """The blocks of a notice in reading order."""
    parser = _BlockParser()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


def html_to_text(html: str, lang: str) -> str:
    """Plain text with the documented section markers: 【heading】 in Chinese, [heading] in English."""
    lines: list[str] = []
    for block in html_blocks(html):
        if block.kind == BlockKind.HEADING:
            lines += ["", f"[{block.text}]" if lang == "en" else f"【{block.text}】"]
        elif block.kind == BlockKind.ITEM:
            lines.append(f"- {block.text}")
        else:
            lines += [block.text, ""] if block.kind != BlockKind.PARAGRAPH or not block.element else [block.text]
    return "\n".join(_squeeze(lines)).strip() + "\n"


def _squeeze(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return out
