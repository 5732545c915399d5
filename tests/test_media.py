"""A card's pictures and sounds: named in its text, opened from the study screen with Ctrl+P."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from textual.widgets import Footer

from quiz.deck.model import Item
from quiz.library import open_deck
from quiz.media import media_names, open_media
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.study import StudyScreen
from quiz.tui.widgets.answers import TextAnswer

DECK = """\
deck: maps
title: Maps
cards:
  - id: astana
    front: "Where is Astana? [image: map.png]"
    back: "In the north [sound: anthem.mp3]"
  - id: capital
    type: typed
    question: "Capital of Kazakhstan? [image: map.png]"
    answer: "Astana"
  - id: plain
    front: "No media here"
    back: "None"
"""


@pytest.fixture
def deck_path(tmp_path: Path) -> Path:
    path = tmp_path / "maps.yaml"
    path.write_text(DECK, encoding="utf-8")
    media = tmp_path / "maps-media"
    media.mkdir()
    (media / "map.png").write_bytes(b"\x89PNG")
    (media / "anthem.mp3").write_bytes(b"ID3")
    (media / "run.desktop").write_text("[Desktop Entry]\nExec=rm -rf ~\n")
    return path


@pytest.fixture
def opener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in xdg-open on PATH that writes down what it was asked to open."""
    log = tmp_path / "opened.txt"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "xdg-open"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


def opened(log: Path, count: int) -> list[str]:
    # The opener runs detached; wait for it to have written (not a timing assertion).
    for _ in range(500):
        if log.exists() and len(log.read_text().splitlines()) >= count:
            break
        time.sleep(0.02)
    return [Path(line).name for line in log.read_text().splitlines()] if log.exists() else []


def test_media_named_on_the_question_side_until_answered(deck_path: Path) -> None:
    from quiz.deck.loader import check_deck

    deck, _ = check_deck(deck_path)
    assert deck is not None
    astana = Item(deck.id, deck.cards[0])
    assert media_names(astana, answered=False) == ["map.png"]  # the back's sound would tell
    assert media_names(astana, answered=True) == ["map.png", "anthem.mp3"]
    assert media_names(Item(deck.id, deck.cards[0], "reverse"), answered=False) == ["anthem.mp3"]
    assert media_names(Item(deck.id, deck.cards[2]), answered=True) == []


def test_open_media_runs_the_platforms_opener_and_refuses_what_is_no_media(
    deck_path: Path, opener: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = open_media(["map.png", "anthem.mp3"], deck_path, platform="linux")
    assert result.ok and result.message == "Opening map.png, anthem.mp3"
    # Two openers run at once: either may write first.
    assert sorted(opened(opener, 2)) == ["anthem.mp3", "map.png"]
    launched: list[list[str]] = []
    monkeypatch.setattr("quiz.media._launch", launched.append)
    refused = open_media(["run.desktop", "../maps.yaml", "gone.png"], deck_path, platform="linux")
    assert not refused.ok
    assert refused.message == (
        "run.desktop: not a picture or a sound; ../maps.yaml: not a plain file name; "
        f"gone.png is not in {deck_path.parent / 'maps-media'}"
    )
    assert launched == []  # nothing was run


def test_no_opener_is_said(deck_path: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert open_media(["map.png"], deck_path, platform="linux").message == (
        "Nothing here opens media: xdg-open was not found"
    )
    assert "open was not found" in open_media(["map.png"], deck_path, platform="darwin").message


def build(store, deck_path: Path, clock) -> QuizApp:  # type: ignore[no-untyped-def]
    deck, problems = open_deck(store, deck_path, clock())
    assert deck is not None, problems
    return make_app(
        store, [deck], "ann", study=["maps"], clock=clock, rng=random.Random(3), fuzz=False
    )


def footer_keys(app: QuizApp) -> list[str]:
    return [b.description for _, b, enabled, _ in app.screen.active_bindings.values()
            if b.show and enabled]  # fmt: skip


async def test_ctrl_p_opens_the_cards_media_also_while_typing(
    store, deck_path: Path, clock, opener: Path
) -> None:  # type: ignore[no-untyped-def]
    app = build(store, deck_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert app.screen.query_one(Footer)
        assert screen.session.current.item.card.id == "astana"
        assert "Media" in footer_keys(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert opened(opener, 1) == ["map.png"]
        assert [n.message for n in app._notifications] == ["Opening map.png"]
        await pilot.press("space", "3")  # reveal, Good: the typed card comes next
        await pilot.pause()
        assert screen.session.current.item.card.id == "capital"
        assert isinstance(app.focused, TextAnswer)
        await pilot.press(*"Ast", "ctrl+p")
        await pilot.pause()
        assert opened(opener, 2) == ["map.png", "map.png"]
        assert app.focused.value == "Ast"  # type: ignore[union-attr]
        await pilot.press(*"ana", "enter", "enter")
        await pilot.pause()
        assert screen.session.current.item.card.id == "plain"
        assert "Media" not in footer_keys(app)  # a card without media shows no key


async def test_ctrl_p_with_nothing_to_open_it_shows_a_warning(
    store, deck_path: Path, clock, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr("sys.platform", "linux")
    app = build(store, deck_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        (note,) = app._notifications
        assert (note.message, note.severity) == (
            "Nothing here opens media: xdg-open was not found",
            "warning",
        )


def test_media_of_an_anki_package_open_from_the_imported_deck(tmp_path: Path, opener: Path) -> None:
    from anki.collection import Collection, ExportAnkiPackageOptions
    from interchange_helpers import load, run

    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    collection.media.write_data("steppe.jpg", b"\xff\xd8 not really")
    note = collection.new_note(collection.models.by_name("Basic"))  # type: ignore[arg-type]
    note.fields[0], note.fields[1] = 'Which country? <img src="steppe.jpg">', "Kazakhstan"
    collection.add_note(note, collection.decks.id("Maps"))  # type: ignore[arg-type]
    package = tmp_path / "maps.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
        ),
        limit=None,
    )
    collection.close()
    output = tmp_path / "steppe.yaml"
    imported = run("import", str(package), "-o", str(output))
    assert imported.exit_code == 0, imported.output
    deck = load(output)
    names = media_names(Item(deck.id, deck.cards[0]), answered=False)
    assert names == ["steppe.jpg"]
    assert open_media(names, output, platform="linux").ok
    assert opened(opener, 1) == ["steppe.jpg"]
    assert (tmp_path / "steppe-media" / "steppe.jpg").read_bytes() == b"\xff\xd8 not really"
