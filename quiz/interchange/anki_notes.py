"""Anki note types and decks as a collection stores them: fields, templates, protobuf."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from quiz.interchange.untrusted import require_tables
from quiz.safejson import loads as bounded_json

# Note types and decks are a few levels deep in Anki's JSON.
MAX_JSON_DEPTH = 32
# A field a template shows: {{Name}} or {{filter:Name}}; {{#Name}}, {{/Name}} and {{^Name}}
# only test it, and {{FrontSide}} is the question again.
_FIELD_REF = re.compile(r"\{\{(?![#/^!])([^{}]+?)\}\}")


@dataclass(frozen=True)
class NoteType:
    cloze: bool
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str], ...] = ()  # each card template's question and answer

    def shown(self, side: int, template: int = 0) -> list[int]:
        """The fields a template's side shows, by index, in the order it shows them."""
        if template >= len(self.templates):
            return []
        names = {name: index for index, name in enumerate(self.fields)}
        out: list[int] = []
        for ref in _FIELD_REF.findall(self.templates[template][side]):
            if ref.startswith("type:") and side == 0:
                continue  # a box to type the field into: the field is the answer
            name = ref.split(":")[-1].strip()
            if name in names and names[name] not in out:
                out.append(names[name])
        return out

    def tested(self) -> set[int]:
        """Fields a template only tests ({{#Name}}), such as the one that asks for a reverse."""
        names = {name: index for index, name in enumerate(self.fields)}
        return {
            names[name.strip()]
            for question, answer in self.templates
            for name in re.findall(r"\{\{[#^]([^{}]+?)\}\}", question + answer)
            if name.strip() in names
        }

    def cloze_field(self) -> int:
        """The field a cloze note's gaps are in: the one {{cloze:...}} shows, else the first."""
        if self.templates:
            found = re.search(r"\{\{cloze:([^{}]+?)\}\}", self.templates[0][0])
            if found and found.group(1).strip() in self.fields:
                return self.fields.index(found.group(1).strip())
        return 0

    def uses(self, filter_name: str) -> bool:
        """True when the first template's question uses a filter such as type: or cloze:."""
        return bool(self.templates) and f"{{{{{filter_name}:" in self.templates[0][0]


def tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def note_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    if "notetypes" in tables(conn):  # schema 18, Anki 2.1.28 and later
        require_tables(conn, ("notetypes", "fields"))
        fields: dict[int, list[str]] = {}
        for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
            fields.setdefault(ntid, []).append(name)
        templates: dict[int, list[tuple[str, str]]] = {}
        if "templates" in tables(conn):
            require_tables(conn, ("templates",))
            query = "SELECT ntid, config FROM templates ORDER BY ntid, ord"
            for ntid, config in conn.execute(query):
                sides = (_protobuf_text(config, 1), _protobuf_text(config, 2))
                templates.setdefault(ntid, []).append(sides)
        return {
            ntid: NoteType(
                _protobuf_varint(config, 1) == 1,
                tuple(fields.get(ntid, [])),
                tuple(templates.get(ntid, [])),
            )
            for ntid, config in conn.execute("SELECT id, config FROM notetypes")
        }
    require_tables(conn, ("col",))
    (models,) = conn.execute("SELECT models FROM col").fetchone()
    out = {}
    for model in bounded_json(models, MAX_JSON_DEPTH).values():
        names = tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"]))
        tmpls = sorted(model.get("tmpls", []), key=lambda t: t.get("ord", 0))
        shown = tuple((str(t.get("qfmt", "")), str(t.get("afmt", ""))) for t in tmpls)
        out[int(model["id"])] = NoteType(model.get("type") == 1, names, shown)
    return out


def common_deck(names: list[str]) -> str:
    """The last name of the deck path all these Anki decks share ('' when none or Default)."""
    if not names:
        return ""
    paths = [name.split("::") for name in names]
    shared: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        shared.append(parts[0])
    title = shared[-1].strip() if shared else ""
    return "" if title == "Default" else title


def deck_names(conn: sqlite3.Connection) -> dict[int, str]:
    if "decks" in tables(conn):
        require_tables(conn, ("decks",))
        return {
            did: name.replace("\x1f", "::")
            for did, name in conn.execute("SELECT id, name FROM decks")
        }
    require_tables(conn, ("col",))
    (decks,) = conn.execute("SELECT decks FROM col").fetchone()
    return {int(d["id"]): d["name"] for d in bounded_json(decks, MAX_JSON_DEPTH).values()}


def protobuf_fields(data: bytes) -> dict[int, list[int | bytes]]:
    """The fields of a protobuf message (how Anki stores note type and template settings)."""
    i = 0
    out: dict[int, list[int | bytes]] = {}

    def varint() -> int:
        nonlocal i
        shift = result = 0
        while i < len(data) and shift < 64:
            byte = data[i]
            i += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result
        raise ValueError("truncated varint")

    try:
        while i < len(data):
            key = varint()
            field, wire = key >> 3, key & 7
            if wire == 0:
                out.setdefault(field, []).append(varint())
            elif wire == 1:
                i += 8
            elif wire == 2:
                size = varint()
                out.setdefault(field, []).append(data[i : i + size])
                i += size
            elif wire == 5:
                i += 4
            else:
                break
    except ValueError:
        pass
    return out


def _protobuf_varint(data: bytes, number: int) -> int | None:
    """A varint field of a protobuf message, or None."""
    value = next(iter(protobuf_fields(data).get(number, [])), None)
    return value if isinstance(value, int) else None


def _protobuf_text(data: bytes, number: int) -> str:
    """A string field of a protobuf message, or ''."""
    value = next(iter(protobuf_fields(data).get(number, [])), b"")
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""
