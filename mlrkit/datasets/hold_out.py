"""A deterministic hold-out of image ids: the same split on every machine, with no list file.

The ``size`` ids with the smallest ``sha1("<salt>:<id>")`` are held out. The choice depends
only on the ids and the salt (not on their order, the machine, the process or Python's hash
seed), so one annotation file always splits the same way. The file loaders whose data has no
official model-selection split carve one out of their train split with it
(``hold_out_size`` / ``hold_out_part``): :class:`~mlrkit.datasets.coco.CocoMultiLabel` (COCO
image ids), :class:`~mlrkit.datasets.voc.VOCMultiLabel` (VOC image ids such as
``"2008_000002"``) and :class:`~mlrkit.datasets.nus_wide.NUSWideMultiLabel` (image paths
relative to the image folder). Standard library only, so it can be imported on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence

__all__ = ["HOLD_OUT_PARTS", "HOLD_OUT_SALT", "hold_out_ids", "hold_out_positions"]

HOLD_OUT_SALT = "mlrkit-hold-out"
#: ``"rest"``: every image but the held-out ones (the train split); ``"held_out"``: only them
#: (the val split).
HOLD_OUT_PARTS = ("rest", "held_out")


def hold_out_ids(
    img_ids: Sequence[Hashable], size: int, salt: str = HOLD_OUT_SALT, owner: str = "CocoMultiLabel"
) -> set:
    """The ``size`` ids with the smallest ``sha1("<salt>:<id>")``: the held-out part.

    Args:
        img_ids: the ids to choose from (unique); ints or strings, hashed as ``str(id)``.
        size: how many to hold out, 0 to ``len(img_ids)``.
        salt: the hash salt; another salt gives another, equally fixed, hold-out.
        owner: the class named in the error message.

    Raises:
        ValueError: ``size`` out of range.
    """
    if not 0 <= size <= len(img_ids):
        raise ValueError(
            f"{owner}: hold_out_size must be in [0, {len(img_ids)}] (the images kept), got {size}"
        )
    digest = {i: hashlib.sha1(f"{salt}:{i}".encode()).hexdigest() for i in img_ids}
    return set(sorted(img_ids, key=lambda i: (digest[i], i))[:size])


def hold_out_positions(
    img_ids: Sequence[Hashable],
    size: int,
    part: str,
    salt: str = HOLD_OUT_SALT,
    owner: str = "hold_out_positions",
) -> list[int]:
    """The positions in ``img_ids`` that belong to one part of the hold-out, in order.

    An id listed twice lands in one part with all its copies (the two parts never share an
    image); ``size`` counts distinct ids.

    Args:
        img_ids: the ids of the samples (N,), in the dataset's order.
        size: how many distinct ids to hold out; 0 keeps every position (whatever ``part``).
        part: ``"rest"`` or ``"held_out"`` (:data:`HOLD_OUT_PARTS`).
        salt: the hash salt.
        owner: the class named in error messages.

    Returns:
        the kept positions, increasing.

    Raises:
        ValueError: ``part`` unknown or ``size`` out of range (naming ``owner``).
    """
    if part not in HOLD_OUT_PARTS:
        raise ValueError(f"{owner}: hold_out_part must be one of {HOLD_OUT_PARTS}, got {part!r}")
    if not size:
        return list(range(len(img_ids)))
    held = hold_out_ids(list(dict.fromkeys(img_ids)), size, salt, owner)
    want = part == "held_out"
    return [n for n, i in enumerate(img_ids) if (i in held) == want]
