"""Label-name normalisation shared by all embedding sources."""

from __future__ import annotations

import pytest

from mlrkit.embeddings import label_words, normalize_label_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("diningtable", "dining table"),
        ("pottedplant", "potted plant"),
        ("tvmonitor", "tv monitor"),
        ("Dining_Table", "dining table"),
        ("  hot-dog ", "hot dog"),
        ("tennis  racket", "tennis racket"),
        ("person", "person"),
    ],
)
def test_normalize_label_name(name, expected):
    assert normalize_label_name(name) == expected


def test_label_words():
    assert label_words("tvmonitor") == ["tv", "monitor"]
    assert label_words("___") == []
