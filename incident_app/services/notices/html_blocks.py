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
    marker: str = ""  # a list item's number in an ordered list ("1."), "" for a bullet


_BLOCK_TAGS = {"h1": BlockKind.TITLE, "h2": BlockKind.HEADING, "h3": BlockKind.HEADING, "p": BlockKind.PARAGRAPH,
               "li": BlockKind.ITEM, "td": BlockKind.PARAGRAPH, "th": BlockKind.PARAGRAPH}
# Tags that start and end a block of their own without a kind of their own: whatever text they hold
# is a paragraph (an officer's edited template may put text in a div, a table row or a quotation).
_BREAK_TAGS = {"div", "blockquote", "address", "pre", "dl", "dt", "dd", "tr", "table", "ul", "ol", "hr",
               "h4", "h5", "h6", "header", "footer", "article", "aside", "nav", "main", "figure", "figcaption",
               "body", "center"}
_SKIP = {"head", "style", "script", "title"}
# Link targets a reader needs spelled out in plain text (not in-page anchors or scripts).
_SHOWN_LINKS = ("http://", "https://", "mailto:", "tel:", "www.")


class _BlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._kind: BlockKind | None = None
        self._parts: list[str] = []
        self._skip = 0
        self._sections: list[str] = []
        self._banner: list[str] = []  # tags opened as the drill banner, innermost last
        self._lists: list[list[int]] = []  # open lists, innermost last: [next number] for <ol>, [] for <ul>
        self._marker = ""
        self._links: list[str] = []  # the href of each open <a>, innermost last
        self._chinese = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self._chinese = (values.get("lang") or "").lower().startswith("zh")
        if values.get("data-drill") == "true" or "drill" in (values.get("class") or "").split():
            self._banner.append(tag)
        if tag in _SKIP:
            self._skip += 1
        elif tag == "section":
            self._flush()
            self._sections.append(values.get("data-element") or "")
        elif tag in ("br",):
            self._parts.append("\n")
        elif tag == "a":
            self._links.append(values.get("href") or "")
        elif tag in ("ol", "ul"):
            self._flush()
            self._lists.append(_start_number(values) if tag == "ol" else [])
        elif tag == "p" and self._kind == BlockKind.ITEM:
            pass  # a paragraph inside a list item is still the item
        elif tag in _BLOCK_TAGS:
            self._flush()
            self._kind = _BLOCK_TAGS[tag]
            if tag == "li":
                self._marker = self._next_marker()
        elif tag in _BREAK_TAGS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.handle_starttag(tag, attrs)
            return
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "section" and self._sections:
            self._flush()
            self._sections.pop()
        elif tag == "a" and self._links:
            self._link_target(self._links.pop())
        elif tag in ("ol", "ul"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag == "p" and self._kind == BlockKind.ITEM:
            pass
        elif tag in _BLOCK_TAGS or tag in _BREAK_TAGS:
            self._flush()
        if self._banner and self._banner[-1] == tag:
            self._flush()
            self._banner.pop()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._kind is None and data.strip():
            self._kind = BlockKind.PARAGRAPH  # loose text (in a div, a span, the body) is a paragraph
        self._parts.append(data)

    def _next_marker(self) -> str:
        if not self._lists or not self._lists[-1]:
            return ""
        number = self._lists[-1][0]
        self._lists[-1][0] += 1
        return f"{number}."

    def _link_target(self, href: str) -> None:
        """A link's target in brackets after its text, unless the text already says it."""
        target = href.strip()
        if not target.lower().startswith(_SHOWN_LINKS):
            return
        shown = target.split(":", 1)[1] if target.lower().startswith(("mailto:", "tel:")) else target
        if shown and shown not in "".join(self._parts):
            self._kind = self._kind or BlockKind.PARAGRAPH
            self._parts.append(f"（{shown}）" if self._chinese else f" ({shown})")

    def _flush(self) -> None:
        text = "\n".join(" ".join(line.split()) for line in "".join(self._parts).split("\n")).strip()
        if text and self._kind is not None:
            kind = BlockKind.BANNER if self._banner else self._kind
            marker = self._marker if kind == BlockKind.ITEM else ""
            self.blocks.append(Block(kind, text, self._sections[-1] if self._sections else "", marker))
        self._parts = []
        self._kind = None
        self._marker = ""


def _start_number(values: dict[str, str | None]) -> list[int]:
    start = values.get("start") or "1"
    return [int(start) if start.strip().lstrip("-").isdigit() else 1]


def html_blocks(html: str) -> list[Block]:
    """The blocks of a notice in reading order: every piece of text the HTML shows, link targets
    spelled out and ordered-list items numbered."""
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
            lines.append(f"{block.marker or '-'} {block.text}")
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
