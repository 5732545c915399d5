"""`quiz new`: a starter deck with one commented example of each card type."""

from __future__ import annotations

from pathlib import Path

from quiz.deck.text import slugify

# Placeholders are written <<name>> because cloze gaps use braces.
STARTER = """\
# A quiz deck: one example of each card type, with comments on the fields.
# Check it with `quiz check <<path>>`; the format is in docs/deck-format.md.
#
# For completion and errors as you type (editors with the YAML language server, such as
# VS Code with the YAML extension): run `quiz schema > deck.schema.json`, then make this
# the first line of the file:   # yaml-language-server: $schema=deck.schema.json

# Required: the deck's stable id (a slug of a-z, 0-9 and '-'; keep it) and its title.
deck: <<deck_id>>
title: "<<title>>"
description: "What this deck is about, in a sentence."   # optional
sources:                    # optional: the works cards cite, by key
  notes:
    title: "Course notes"
    author: "Your name"
    note: "Replace this with the work your cards come from."
tags: [starter]             # optional: slugs added to every card
settings:                   # optional per-deck study defaults
  new_per_day: 20           # new cards introduced per day
  reviews_per_day: 200      # reviews per day
  desired_retention: 0.9    # target chance of remembering a card, 0.7 to 0.99

# Every card takes:
#   id           a slug, unique in the deck. Progress is keyed on it: keep it when you edit.
#   type         flashcard (the default), choice, true_false, cloze, typed, numeric, order, match
#   explanation  shown after the answer: context in one to three sentences
#   source       a key of sources:, or {ref: key, section: "..."}
#   tags         slugs, for following a topic across decks
#   lint         {ignore: [rule-name]} silences a `quiz check` warning for this card
# Quote text that contains ': ' or starts with a special character.
cards:
  # flashcard: the learner reveals the back and rates their recall.
  - id: photosynthesis
    type: flashcard
    front: "Photosynthesis"
    back: "How plants make sugar and oxygen from light, water and carbon dioxide"
    reverse: true           # optional: also ask back -> front, as a sibling card
    explanation: "It takes place in the chloroplasts of plant cells."
    source: {ref: notes, section: "Biology"}
    tags: [biology]

  # choice: answer is one of the choices, or a list of them for select-all-that-apply.
  - id: closest-planet
    type: choice
    question: "Which planet is closest to the Sun?"
    choices: [Mercury, Venus, Earth, Mars]
    answer: Mercury
    shuffle: true           # optional: shuffle the choices when shown (the default)
    explanation: "Mercury orbits the Sun at about 58 million kilometres."
    source: {ref: notes, section: "Astronomy"}
    tags: [astronomy]

  # true_false: a statement that is true or false.
  - id: sound-in-water
    type: true_false
    statement: "Sound travels faster in water than in air."
    answer: true
    explanation: "About 1,480 metres per second in water, against about 343 in air."
    source: {ref: notes, section: "Physics"}
    tags: [physics]

  # cloze: each {{gap}} is its own card; {{answer|alternative}} accepts either;
  # {{answer::hint}} shows a hint in the blank; {{c3::answer}} keeps its number when gaps move.
  - id: water-formula
    type: cloze
    text: "The formula of water is {{H2O|H₂O}}: two atoms of {{hydrogen}} and one of oxygen."
    explanation: "The two hydrogen atoms sit at an angle of about 104.5 degrees."
    source: {ref: notes, section: "Chemistry"}
    tags: [chemistry]

  # typed: the learner types the answer; case, accents and small typos are forgiven.
  - id: pride-and-prejudice
    type: typed
    question: "Who wrote the novel 'Pride and Prejudice'?"
    answer: "Jane Austen"
    accept: ["Austen"]      # optional: other accepted answers
    explanation: "It was published in 1813."
    source: {ref: notes, section: "Literature"}
    tags: [literature]

  # numeric: a number, right within a tolerance.
  - id: everest-height
    type: numeric
    question: "How high is Mount Everest above sea level?"
    answer: 8849
    tolerance: "1%"         # optional: absolute like 50, or a percentage like "1%"
    unit: metres            # optional: shown to the learner
    explanation: "The 2020 survey by China and Nepal measured 8,848.86 metres."
    source: {ref: notes, section: "Geography"}
    tags: [geography]

  # order: items in the right order; they are shown shuffled.
  - id: inner-planets
    type: order
    question: "Put these planets in order of distance from the Sun, nearest first."
    items: [Mercury, Venus, Earth, Mars]
    explanation: "These four are the rocky inner planets."
    source: {ref: notes, section: "Astronomy"}
    tags: [astronomy]

  # match: each item on the left matched to its item on the right.
  - id: element-symbols
    type: match
    question: "Match each element to its chemical symbol."
    pairs:
      Gold: Au
      Iron: Fe
      Sodium: Na
    explanation: "These symbols come from the Latin names aurum, ferrum and natrium."
    source: {ref: notes, section: "Chemistry"}
    tags: [chemistry]
"""


def starter_deck(path: Path) -> str:
    """The starter deck's text, with an id and title made from the file's name."""
    deck_id = slugify(path.stem) or "my-deck"
    words = " ".join(path.stem.replace("-", " ").replace("_", " ").split())
    # Only the first letter is raised: the case of the rest is the author's ("My French Deck").
    title = words[:1].upper() + words[1:] or "My deck"
    title = title.replace("\\", "").replace('"', "'")
    return (
        STARTER.replace("<<deck_id>>", deck_id)
        .replace("<<title>>", title)
        .replace("<<path>>", str(path))
    )


def write_starter(path: Path) -> None:
    """Write a starter deck; raise FileExistsError rather than overwrite a file."""
    with path.open("x", encoding="utf-8") as out:
        out.write(starter_deck(path))
