"""A deterministic hold-out of image ids: the same split on every machine, with no list file.

The ``size`` ids with the smallest ``sha1("<salt>:<id>")`` are held out. The choice depends
only on the ids and the salt (not on their order, the machine, the process or Python's hash
seed), so one annotation file always splits the same way. Used by
:class:`~mlrkit.datasets.coco.CocoMultiLabel` (``hold_out_size``) to carve a model-selection
split out of a train file. Standard library only, so it can be imported on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["HOLD_OUT_SALT", "hold_out_ids"]

HOLD_OUT_SALT = "mlrkit-hold-out"


def hold_out_ids(img_ids: Sequence[int], size: int, salt: str = HOLD_OUT_SALT) -> set[int]:
    """The ``size`` ids with the smallest ``sha1("<salt>:<id>")``: the held-out part.

    Args:
        img_ids: the ids to choose from (unique).
        size: how many to hold out, 0 to ``len(img_ids)``.
        salt: the hash salt; another salt gives another, equally fixed, hold-out.

    Raises:
        ValueError: ``size`` out of range.
    """
    if not 0 <= size <= len(img_ids):
        raise ValueError(
            f"CocoMultiLabel: hold_out_size must be in [0, {len(img_ids)}] (the images kept), "
            f"got {size}"
        )
    digest = {i: hashlib.sha1(f"{salt}:{i}".encode()).hexdigest() for i in img_ids}
    return set(sorted(img_ids, key=lambda i: (digest[i], i))[:size])
