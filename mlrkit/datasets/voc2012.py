"""PASCAL VOC2012 as a multi-label dataset: the VOC loader on the 2012 release."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from mlrkit.datasets.hold_out import HOLD_OUT_SALT
from mlrkit.datasets.voc import VOCMultiLabel
from mlrkit.registry import DATASETS

__all__ = ["VOC2012MultiLabel"]

SPLITS_2012 = ("train", "val", "trainval")


@DATASETS.register_module()
class VOC2012MultiLabel(VOCMultiLabel):
    """PASCAL VOC2012 classification targets (20 classes, VOC's order), difficult as a mask.

    VOC2012 has the VOC2007 file format (``ImageSets/Main/<class>_<split>.txt`` with labels
    1 / -1 / 0 = positive / negative / difficult, ``Annotations/<id>.xml``,
    ``JPEGImages/<id>.jpg``), so everything is :class:`~mlrkit.datasets.voc.VOCMultiLabel`'s.
    The splits are ``train`` (5,717 images), ``val`` (5,823) and ``trainval`` (11,540). **The
    test labels are not public**: VOC2012 test results come from the evaluation server, so
    the usual protocol trains on ``train`` and reports ``val`` (or trains on ``trainval`` for
    a server submission); there is no ``test`` split here. mlrkit's VOC2012 config selects the
    checkpoint on a hash hold-out of ``train`` (``hold_out_size``, ``hold_out_part``), trains on
    the rest of ``train`` and reports the official ``val``.

    Args:
        root: the ``VOCdevkit/VOC2012`` folder.
        split: ``"train"``, ``"val"`` or ``"trainval"``.
        source: ``"imagesets"`` (default) or ``"xml"``.
        pipeline: transforms applied to the uint8 (3, H, W) image.
        on_bad_image: ``"raise"`` or ``"skip"``.
        hold_out_size, hold_out_part, hold_out_salt: a deterministic hold-out of the split's
            images, as :class:`~mlrkit.datasets.voc.VOCMultiLabel`'s.

    Raises:
        ValueError: ``split`` is ``"test"`` or unknown; malformed files (file and line named).
        FileNotFoundError: a folder or file is missing (named).
    """

    dataset_name = "voc2012"

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        source: str = "imagesets",
        pipeline: Sequence[dict | Callable] | None = None,
        on_bad_image: str = "raise",
        hold_out_size: int = 0,
        hold_out_part: str = "rest",
        hold_out_salt: str = HOLD_OUT_SALT,
    ):
        if split not in SPLITS_2012:
            raise ValueError(
                f"VOC2012MultiLabel: split must be one of {SPLITS_2012}, got {split!r}; "
                "VOC2012 test labels are not public (train on 'train', evaluate on 'val')"
            )
        super().__init__(
            root=root,
            split=split,
            source=source,
            pipeline=pipeline,
            on_bad_image=on_bad_image,
            hold_out_size=hold_out_size,
            hold_out_part=hold_out_part,
            hold_out_salt=hold_out_salt,
        )
