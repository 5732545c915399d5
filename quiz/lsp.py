"""`quiz lsp`: a language server giving editors quiz's own problems, completions and hovers."""

# Editors already get the deck format's structure from `quiz schema`; this gives them what only
# quiz knows: its rules as you type, the deck's own sources and tags to complete, a card as the
# learner will see it, and the fix for a mistyped key. The server reads each document with the
# same loader and lint as `quiz check`.

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from quiz import __version__
from quiz.deck.layout import Layout, last_line
from quiz.deck.lint import check_text
from quiz.deck.loader import parse
from quiz.deck.model import Deck
from quiz.deck.problems import Problem, Severity
from quiz.deck.vocabulary import CARD, DECK, LINT, SETTINGS, SOURCE, SOURCE_REF, Keys

_LINES = re.compile("\r\n|\r|\n")
_KEY_PREFIX = re.compile(r"^( *)((?:- +)?)([A-Za-z_]*)$")
_KEY_LINE = re.compile(r"^( *)((?:- +)?)([A-Za-z_]+):(.*)$")
_SOURCE_VALUE = re.compile(r"^ *(?:- +)?(?:source|ref): *([\w-]*)$")
_TAG_FLOW = re.compile(r"^ *(?:- +)?tags: *\[(?:[^\]]*, *)?([\w-]*)$")
_LIST_ITEM = re.compile(r"^( *)- +([\w-]*)$")
_ID_LINE = re.compile(r"^ *(?:- +)?id: *\S")
# The keys of a mapping, by the key whose value it is.
_NESTED: dict[str, Keys] = {"settings": SETTINGS, "lint": LINT, "source": SOURCE_REF}


def lines_of(text: str) -> list[str]:
    """The text's lines as LSP counts them."""
    return _LINES.split(text)


def position(lines: list[str], line: int, column: int) -> lsp.Position:
    """The LSP position (0-based, UTF-16 units) of a 1-based line and character column."""
    if line <= 0:
        return lsp.Position(0, 0)
    if line > len(lines):
        return lsp.Position(len(lines), 0)
    before = lines[line - 1][: max(0, column - 1)]
    return lsp.Position(line - 1, len(before.encode("utf-16-le")) // 2)


def column_of(line: str, character: int) -> int:
    """The 0-based character index in `line` of an LSP (UTF-16) character offset."""
    units = 0
    for index, char in enumerate(line):
        if units >= character:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def diagnostic(problem: Problem, lines: list[str]) -> lsp.Diagnostic:
    """A problem as the editor shows it: its span, rule code and, when there is one, its fix."""
    start = position(lines, problem.line, problem.column)
    end_line, end_column = problem.end
    end = position(lines, end_line, end_column)
    if problem.end_line is None and 0 < problem.line <= len(lines):
        # A problem placed at a card or a collection underlines the word it starts with.
        word = re.match(r"[^\s:,\]}]*", lines[problem.line - 1][problem.column - 1 :])
        if word and word.group():
            end = position(lines, problem.line, problem.column + len(word.group()))
    message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
    return lsp.Diagnostic(
        range=lsp.Range(start, end),
        message=message,
        severity=(
            lsp.DiagnosticSeverity.Error
            if problem.severity is Severity.ERROR
            else lsp.DiagnosticSeverity.Warning
        ),
        code=problem.name,
        source="quiz",
        data={"fix": problem.fix} if problem.fix else None,
    )


def diagnostics(text: str, path: str) -> list[lsp.Diagnostic]:
    """Every problem `quiz check` finds in the text, as diagnostics."""
    _, problems = check_text(text, path)
    lines = lines_of(text)
    return [diagnostic(p, lines) for p in problems]


def _key_column(line: str) -> tuple[int, str, str, bool] | None:
    """A line's key: its column, name and value text, and whether a list dash comes before it."""
    found = _KEY_LINE.match(line)
    if found is None:
        return None
    column = len(found.group(1)) + len(found.group(2))
    return column, found.group(3), found.group(4).strip(), bool(found.group(2))


def _siblings(lines: list[str], number: int, indent: int, dashed: bool) -> dict[str, str]:
    """The keys, with their values, already written in the mapping of line `number` (0-based)."""
    found: dict[str, str] = {}
    if not dashed:
        for n in range(number - 1, -1, -1):
            key = _key_column(lines[n])
            if key is None:
                if lines[n].strip() and len(lines[n]) - len(lines[n].lstrip()) < indent:
                    break
                continue
            if key[0] < indent:
                break
            if key[0] == indent:
                found.setdefault(key[1], key[2])
                if key[3]:
                    break
    for line in lines[number + 1 :]:
        key = _key_column(line)
        if key is None:
            if line.strip() and len(line) - len(line.lstrip()) < indent:
                break
            continue
        if key[0] < indent or (key[0] == indent and key[3]):
            break
        if key[0] == indent:
            found.setdefault(key[1], key[2])
    return found


def _owner(lines: list[str], number: int, indent: int) -> list[str]:
    """The keys whose values hold the mapping at `indent`, innermost first."""
    owners: list[str] = []
    for n in range(number - 1, -1, -1):
        key = _key_column(lines[n])
        if key is not None and key[0] < indent:
            owners.append(key[1])
            indent = key[0]
            if indent == 0:
                break
    return owners


def _allowed(lines: list[str], number: int, indent: int, dashed: bool) -> tuple[Keys, set[str]]:
    """The keys the mapping being written in may have, and those it has already."""
    present = _siblings(lines, number, indent, dashed)
    owners = _owner(lines, number, indent)
    if indent == 0:
        return DECK, set(present)
    if owners[:1] == ["cards"]:
        card_type = present.get("type", "flashcard")
        return CARD.get(card_type, CARD["flashcard"]), set(present)
    if owners and owners[0] in _NESTED:
        return _NESTED[owners[0]], set(present)
    if owners[1:2] == ["sources"]:
        return SOURCE, set(present)
    return Keys(()), set()


def _readable(text: str, path: str) -> tuple[Deck | None, Layout]:
    parsed = parse(text, path)
    return parsed.deck or parsed.readable, Layout.of(parsed.root)


def _deck_tags(deck: Deck | None) -> list[str]:
    if deck is None:
        return []
    tags = dict.fromkeys(deck.tags)
    for card in deck.cards:
        tags.update(dict.fromkeys(card.tags))
    return list(tags)


def completions(text: str, path: str, line: int, character: int) -> list[lsp.CompletionItem]:
    """Keys the mapping at the cursor may still have; the deck's source refs and tags."""
    lines = lines_of(text)
    if line >= len(lines):
        return []
    current = lines[line]
    prefix = current[: column_of(current, character)]
    if _SOURCE_VALUE.match(prefix):
        deck, _ = _readable(text, path)
        sources = deck.sources if deck else {}
        return [
            lsp.CompletionItem(
                label=key,
                kind=lsp.CompletionItemKind.Reference,
                detail=source.title or None,
            )
            for key, source in sources.items()
        ]
    item = _LIST_ITEM.match(prefix)
    in_tag_list = item is not None and _under_key(lines, line, len(item.group(1)), "tags")
    if _TAG_FLOW.match(prefix) or in_tag_list:
        deck, _ = _readable(text, path)
        return [
            lsp.CompletionItem(label=tag, kind=lsp.CompletionItemKind.EnumMember)
            for tag in _deck_tags(deck)
        ]
    found = _KEY_PREFIX.match(prefix)
    if found is None:
        return []
    indent = len(found.group(1)) + len(found.group(2))
    keys, present = _allowed(lines, line, indent, bool(found.group(2)))
    return [
        lsp.CompletionItem(
            label=key,
            kind=lsp.CompletionItemKind.Property,
            insert_text=f"{key}: ",
            detail="required" if key in keys.required else None,
        )
        for key in keys.allowed
        if key not in present
    ]


def _under_key(lines: list[str], line: int, indent: int, key: str) -> bool:
    for n in range(line - 1, -1, -1):
        found = _KEY_LINE.match(lines[n])
        if found is None:
            continue
        column = len(found.group(1)) + len(found.group(2))
        if column <= indent:
            return found.group(3) == key and not found.group(4).strip()
    return False


def hover(text: str, path: str, line: int) -> lsp.Hover | None:
    """On a card's id: the card as the learner sees it, question and answer."""
    lines = lines_of(text)
    if line >= len(lines) or not _ID_LINE.match(lines[line]):
        return None
    from quiz.interchange.front_back import front_back

    deck, layout = _readable(text, path)
    if deck is None:
        return None
    for card in deck.cards:
        node = layout.card(card)
        if node is None or not card.line <= line + 1 <= max(card.line, last_line(node)):
            continue
        question, answer = front_back(card)
        body = f"**{layout.name(card)}** · {card.type}\n\n{question}\n\n---\n\n**Answer:** {answer}"
        if card.explanation:
            body += f"\n\n*{card.explanation}*"
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=body),
            range=lsp.Range(lsp.Position(line, 0), lsp.Position(line, len(lines[line]))),
        )
    return None


def quick_fixes(uri: str, context: lsp.CodeActionContext) -> list[lsp.CodeAction]:
    """The fix of each diagnostic that carries one: write the key it is a typo of."""
    actions = []
    for diag in context.diagnostics:
        data: Any = diag.data
        fix = data.get("fix") if isinstance(data, dict) else None
        if not isinstance(fix, str):
            continue
        edit = lsp.TextEdit(range=diag.range, new_text=fix)
        actions.append(
            lsp.CodeAction(
                title=f"Change to '{fix}'",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diag],
                edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
                is_preferred=True,
            )
        )
    return actions


def make_server() -> LanguageServer:
    """The language server, its features registered."""
    server = LanguageServer("quiz-lsp", __version__)

    def publish(uri: str) -> None:
        document = server.workspace.get_text_document(uri)
        found = diagnostics(document.source, document.path or uri)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=document.version)
        )

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=[" ", "[", ","]),
    )
    def complete(params: lsp.CompletionParams) -> lsp.CompletionList:
        document = server.workspace.get_text_document(params.text_document.uri)
        where = params.position
        items = completions(document.source, document.path, where.line, where.character)
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(params: lsp.HoverParams) -> lsp.Hover | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        return hover(document.source, document.path, params.position.line)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return quick_fixes(params.text_document.uri, params.context)

    return server


def serve() -> None:
    """Run the server over standard input and output until the editor stops it."""
    make_server().start_io()
