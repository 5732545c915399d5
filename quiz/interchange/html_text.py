"""HTML, as Anki stores fields, reduced to plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
    "section", "table", "tr", "ul",
}  # fmt: skip
_HIDDEN = {"script", "style", "head", "title", "template"}
_SOUND = re.compile(r"\[sound:[^\]]*\]")
# From a "<" to the next "<" or ">", and an attribute value that opens and does not close there.
_TAG_SPAN = re.compile(r"<[^<>]*>?")
_OPEN_VALUE = re.compile(r"""=\s*(?:"[^"]*(?:"|$)|'[^']*(?:'|$))""")


class _TextCollector(HTMLParser):
    def __init__(self, media: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.media = media

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "img":
            values = dict(attrs)
            alt, src = values.get("alt"), values.get("src")
            if self.media and src:
                self.parts.append(f"[image: {src}]")
            elif alt:
                self.parts.append(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _whole_tag(span: str) -> bool:
    if not span.endswith(">") or span.startswith("<!["):
        return False
    return all(value.group().endswith(("'", '"')) for value in _OPEN_VALUE.finditer(span))


def _tame(html: str) -> str:
    """The fragment with every "<" that cannot start a whole tag written as "&lt;"."""
    # HTMLParser rescans the rest of the text from each "<" whose tag does not end (no ">"
    # before the next "<", or a quoted value left open), so a field of them took minutes;
    # comments are dropped here for the same reason (an unclosed one hides the rest).
    if "<" not in html:
        return html
    out: list[str] = []
    at = 0
    while (start := html.find("<", at)) >= 0:
        out.append(html[at:start])
        if html.startswith("<!--", start):
            end = html.find("-->", start + 4)
            if end < 0:
                return "".join(out)
            at = end + 3
            continue
        span = _TAG_SPAN.match(html, start)
        assert span is not None  # the pattern matches any "<"
        text = span.group()
        out.append(text if _whole_tag(text) else "&lt;" + text[1:])
        at = span.end()
    out.append(html[at:])
    return "".join(out)


def html_to_text(html: str, *, media: bool = False) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks as lines."""
    # With `media`, images and sounds stay as [image: name] and [sound: name].
    collector = _TextCollector(media)
    collector.feed(_tame(html))
    collector.close()
    joined = "".join(collector.parts)
    if media:
        text = _SOUND.sub(lambda m: f"[sound: {m.group()[7:-1]}]", joined)
    else:
        text = _SOUND.sub("", joined)
    text = text.replace("\xa0", " ")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
