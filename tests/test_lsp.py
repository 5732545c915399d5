"""`quiz lsp` over stdio, spoken to by pygls's own client as an editor would."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).parent.parent

DECK = """\
deck: d
title: T
sources:
  weitz: {title: "Weitz 2014"}
  forster: {title: "Forster"}
tags: [csto]
cards:
  - id: capital
    front: Capital of Kazakhstan?
    back: Astana
    explanation: Since 1997.
    source: weitz
    tags: [geography]
  - id: treaty
    type: choice
    qustion: Which treaty?
    choices: [Tashkent, Minsk, Kyiv, Riga]
    answer: Tashkent
    source: forster
"""


class Editor(LanguageClient):
    """A client that keeps the diagnostics the server publishes."""

    def __init__(self) -> None:
        super().__init__("test-editor", "1")
        self.published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()

        @self.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            self.published.put_nowait(params)

    async def next_diagnostics(self) -> list[lsp.Diagnostic]:
        return (await asyncio.wait_for(self.published.get(), 30)).diagnostics


@pytest.fixture
async def editor(tmp_path: Path) -> AsyncIterator[tuple[Editor, str]]:
    client = Editor()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(sys.executable, "-m", "quiz", "lsp", env=env)
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), root_uri=tmp_path.as_uri(), process_id=None
        )
    )
    client.initialized(lsp.InitializedParams())
    uri = (tmp_path / "deck.yaml").as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=DECK)
        )
    )
    yield client, uri
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def change(client: Editor, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_diagnostics_come_with_ranges_and_rule_codes_as_you_type(
    editor: tuple[Editor, str],
) -> None:
    client, uri = editor
    found = await client.next_diagnostics()
    by_code = {d.code: d for d in found}
    typo = by_code["unknown-key"]
    assert typo.range == lsp.Range(lsp.Position(15, 4), lsp.Position(15, 11))
    assert typo.severity == lsp.DiagnosticSeverity.Error
    assert typo.source == "quiz"
    assert typo.message.startswith("card 'treaty': unknown key 'qustion' (did you mean")
    # A YAML mistake typed next: it and its hint arrive with the next change.
    change(client, uri, 2, DECK.replace("    back: Astana", "      back: Astana"))
    codes = {d.code: d for d in await client.next_diagnostics()}
    indent = codes["yaml-indentation"]
    assert indent.range.start == lsp.Position(9, 6)
    assert "hint: line this up with 'front:' (4 spaces)" in indent.message


async def test_the_quick_fix_writes_the_key_the_typo_means(editor: tuple[Editor, str]) -> None:
    client, uri = editor
    typo = next(d for d in await client.next_diagnostics() if d.code == "unknown-key")
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=typo.range,
            context=lsp.CodeActionContext(diagnostics=[typo]),
        )
    )
    assert actions is not None
    (action,) = actions
    assert isinstance(action, lsp.CodeAction)
    assert action.kind == lsp.CodeActionKind.QuickFix
    assert action.edit is not None and action.edit.changes is not None
    assert list(action.edit.changes[uri]) == [lsp.TextEdit(range=typo.range, new_text="question")]


async def complete(client: Editor, uri: str, line: int, character: int) -> list[str]:
    result = await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=lsp.Position(line, character),
        )
    )
    assert isinstance(result, lsp.CompletionList)
    return [item.label for item in result.items]


async def test_completion_of_keys_sources_and_tags(editor: tuple[Editor, str]) -> None:
    client, uri = editor
    await client.next_diagnostics()
    # A new key in the choice card: its own keys and the common ones not written yet.
    text = DECK + "    sh\n"
    change(client, uri, 2, text)
    await client.next_diagnostics()
    labels = await complete(client, uri, 19, 6)
    assert "shuffle" in labels and "explanation" in labels
    assert "choices" not in labels and "front" not in labels
    # A new card's first key: any card's keys.
    change(client, uri, 3, DECK + "  - \n")
    await client.next_diagnostics()
    assert "id" in await complete(client, uri, 19, 4)
    # A source's ref: the deck's own sources.
    change(client, uri, 4, DECK + "  - id: new\n    source: \n")
    await client.next_diagnostics()
    assert await complete(client, uri, 20, 12) == ["weitz", "forster"]
    # Tags: those the deck uses already.
    change(client, uri, 5, DECK + "  - id: new\n    tags: [geo\n")
    await client.next_diagnostics()
    assert await complete(client, uri, 20, 14) == ["csto", "geography"]
    # The top level: the deck's keys.
    change(client, uri, 6, "de\n")
    await client.next_diagnostics()
    assert "deck" in await complete(client, uri, 0, 2)


async def test_hover_on_a_card_id_shows_the_card_as_the_learner_sees_it(
    editor: tuple[Editor, str],
) -> None:
    client, uri = editor
    await client.next_diagnostics()
    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(7, 10)
        )
    )
    assert hover is not None
    assert isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.value == (
        "**card 'capital'** · flashcard\n\nCapital of Kazakhstan?\n\n---\n\n"
        "**Answer:** Astana\n\n*Since 1997.*"
    )
    nothing = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(8, 6)
        )
    )
    assert nothing is None
