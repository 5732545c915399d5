"""The item index: every study item of a deck by number, without building a card."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quiz.deck.model import ItemIndex, card_of_key, item_key

# A card's variants: one item, a reversed pair, or one to five cloze gaps.
VARIANTS = st.sampled_from(
    [("",), ("",), ("", "reverse"), *[tuple(f"c{i + 1}" for i in range(n)) for n in range(1, 6)]]
)


@given(st.lists(VARIANTS, max_size=60))
def test_every_item_number_finds_its_card_and_variant(cards: list[tuple[str, ...]]) -> None:
    ids = [f"card-{place}" for place in range(len(cards))]
    index = ItemIndex.of(ids, {p: v for p, v in enumerate(cards) if v != ("",)})
    expected = [(place, variant) for place, names in enumerate(cards) for variant in names]
    assert [index.locate(n) for n in range(len(index.keys))] == expected
    assert index.keys == [item_key(ids[place], variant) for place, variant in expected]
    assert [card_of_key(key) for key in index.keys] == [ids[place] for place, _ in expected]
    assert all(index.find(key) == n for n, key in enumerate(index.keys))
    assert index.find("no-such-card") is None
    assert index.card_count == len(ids)
    # As re-opened from the store: from the keys and the cards of several items.
    multi = [[place, *names] for place, names in enumerate(cards) if names != ("",)]
    assert ItemIndex.of_keys(index.keys, multi) == index
