"""What changed between two texts, word by word."""

from web.diff import words


def test_words_kept_removed_and_added():
    assert words("The old policy", "The new policy") == [
        ("same", "The "),
        ("removed", "old"),
        ("added", "new"),
        ("same", " policy"),
    ]


def test_from_and_to_nothing():
    assert words(None, "All new") == [("added", "All new")]
    assert words("All gone", "") == [("removed", "All gone")]
    assert words("Same", "Same") == [("same", "Same")]
