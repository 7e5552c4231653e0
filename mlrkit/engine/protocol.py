"""Evaluation protocols: which split selects the checkpoint, which one is reported.

Every dataset config has three splits: ``train_dataloader`` (fits the weights),
``val_dataloader`` (model selection: the checkpoint hook keeps the epoch with the best val mAP)
and ``test_dataloader`` (the figures reported). The top-level ``protocol`` key names how they
are used:

- ``"held_out"`` (the default): select on val, report test. val and test must be different
  splits and val must share no image with train.
- ``"paper"``: select on the test split itself, as ML-GCN and Deep-LIFT did (their code keeps
  the epoch with the best test mAP): the val loader is replaced by the test loader, and the
  train dataset takes the dataset config's ``paper_protocol_train`` overrides (COCO: no
  hold-out, all of train2014; VOC2007: trainval), so the run is the papers' setting. Its
  figures are optimistic; every table made that way carries a note saying so.

Images are identified by :meth:`~mlrkit.datasets.base.MultiLabelDataset.image_path` (a file
path for file datasets; ``<dataset>/<split>/seed<k>/<index>`` for the built-in data, whose
splits are disjoint random streams by construction).
"""

from __future__ import annotations

import copy

from mmengine.config import Config

__all__ = ["PROTOCOLS", "apply_protocol", "check_disjoint", "protocol_note"]

PROTOCOLS = ("held_out", "paper")

_NOTES = {
    "held_out": (
        "Protocol held_out: the checkpoint with the best mAP on the val split (disjoint from "
        "train and test) is reported on the test split."
    ),
    "paper": (
        "Protocol paper: the checkpoint was selected on the test split itself, as ML-GCN and "
        "Deep-LIFT did, so these figures are optimistic; mlrkit's default (held_out) selects "
        "on a separate val split."
    ),
}


def protocol_note(protocol: str, checkpoint: str = "selected") -> str:
    """The line stated under a table made under ``protocol``.

    Args:
        protocol: one of :data:`PROTOCOLS`.
        checkpoint: ``"selected"`` (figures of the selected checkpoint) or ``"last"``
            (figures of the last epoch's checkpoint, whatever was selected).
    """
    note = _NOTES[protocol]
    if checkpoint == "last":
        note += " The figures shown are the last epoch's, not the selected checkpoint's."
    return note


def _same_dataset(a, b) -> bool:
    return a is not None and b is not None and dict(a) == dict(b)


def apply_protocol(cfg: Config) -> str:
    """Set the config's val split up for its ``protocol`` (in place); returns the protocol.

    Idempotent (``cfg.protocol_applied``). A config without ``protocol`` gets ``"held_out"``.

    Raises:
        ValueError: an unknown protocol, or ``held_out`` with a val split that is the test
            split (the message says what to set).
    """
    protocol = cfg.get("protocol") or "held_out"
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    cfg.protocol = protocol
    if cfg.get("protocol_applied"):
        return protocol
    test_loader = cfg.get("test_dataloader")
    val_loader = cfg.get("val_dataloader")
    if protocol == "paper":
        if test_loader:
            cfg.val_dataloader = copy.deepcopy(test_loader)
            cfg.val_evaluator = copy.deepcopy(cfg.get("test_evaluator") or cfg.val_evaluator)
        overrides = cfg.get("paper_protocol_train")
        if overrides:
            cfg.train_dataloader.dataset.update(dict(overrides))
    elif val_loader and test_loader and _same_dataset(val_loader.dataset, test_loader.dataset):
        raise ValueError(
            "protocol 'held_out' selects the checkpoint on the val split, but val_dataloader "
            "and test_dataloader read the same split; give val_dataloader.dataset a held-out "
            "split (see docs/protocol.md) or set protocol='paper' to select on test as the "
            "papers did"
        )
    cfg.protocol_applied = True
    return protocol


def check_disjoint(first, second, first_name: str, second_name: str) -> None:
    """Refuse two splits that share images (by ``image_path``).

    Raises:
        ValueError: naming both splits and how many images they share.
    """
    seen = {first.image_path(i) for i in range(len(first))}
    shared = sum(1 for i in range(len(second)) if second.image_path(i) in seen)
    if shared:
        raise ValueError(
            f"the {second_name} split ({second!r}) shares {shared} image(s) with the "
            f"{first_name} split ({first!r}); a {second_name} split must be disjoint from "
            f"{first_name}: check the split names / list files of both loaders"
        )
