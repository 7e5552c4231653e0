"""Label names as words: the one normalisation every embedding source applies.

``"Dining_Table"``, ``"dining-table"`` and VOC's ``"diningtable"`` all become
``"dining table"``, which word-vector sources embed as the mean of ``"dining"`` and
``"table"`` and sentence models embed as the phrase.
"""

from __future__ import annotations

import re

__all__ = ["JOINED_NAMES", "normalize_label_name", "label_words"]

#: Label names that datasets write as one token, split into their words (PASCAL VOC's).
JOINED_NAMES: dict[str, str] = {
    "diningtable": "dining table",
    "pottedplant": "potted plant",
    "tvmonitor": "tv monitor",
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_label_name(name: str) -> str:
    """Lower case, ``_`` and ``-`` as spaces, single spaces, VOC's joined names split.

    Example:
        >>> normalize_label_name("Potted_Plant"), normalize_label_name("tvmonitor")
        ('potted plant', 'tv monitor')
    """
    words = _SEPARATORS.sub(" ", str(name).lower()).strip().split(" ")
    return " ".join(JOINED_NAMES.get(word, word) for word in words if word)


def label_words(name: str) -> list[str]:
    """The words of a normalised label name (what word-vector sources average)."""
    normalized = normalize_label_name(name)
    return normalized.split(" ") if normalized else []
