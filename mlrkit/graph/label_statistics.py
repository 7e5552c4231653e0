"""Label co-occurrence statistics: how often each label, and each pair of labels, occurs.

Everything the label graph needs comes from two counts over the training targets (docs/maths.md,
"Label graph"): ``N_i``, the number of training images with label ``i``, and ``M_ij``, the number
with both ``i`` and ``j`` (``i != j``). From them, ``P_ij = M_ij / N_i = P(label j | label i)``.

Partial labels (some entries *unknown*, e.g. Open Images or ``label_drop``) count only known
entries. With ``y_ni`` the 0/1 label and ``o_ni`` = 1 where label i of image n is known:

- ``N_i = sum_n o_ni y_ni`` (known positives of i),
- ``M_ij = sum_n o_ni y_ni o_nj y_nj`` (images where both are known positives),
- ``D_ij = sum_n o_ni y_ni o_nj`` (images where i is a known positive and j is known at all),
- ``P_ij = M_ij / D_ij``: the frequency of j among the images with i whose j is known.

Without unknown entries ``D_ij = N_i`` and this is the formula above; ``D`` is only stored
(as ``known_pairs``) when some entry is unknown.

The JSON layout is the one of the statistics shipped in ``mlrkit/data/label_stats`` (converted
from ML-GCN's ``*_adj.pkl``), plus the number of samples::

    {"names": [K names], "nums": [N_i], "cooccurrence": [[M_ij]], "num_samples": N,
     "known_pairs": [[D_ij]] (partial labels only), ...}
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["LabelStatistics", "label_statistics_for", "SHIPPED_STATISTICS"]

#: The shipped statistics: name -> (file in mlrkit/data/label_stats, number of images).
#: The files do not store the number of images; these are the training-set sizes ML-GCN
#: reports for the same splits (COCO train2014 images with at least one object: 82,081;
#: VOC2007 trainval: 5,011).
SHIPPED_STATISTICS: dict[str, tuple[str, int]] = {
    "coco": ("coco_cooccurrence.json", 82081),
    "voc": ("voc_cooccurrence.json", 5011),
}

_REQUIRED_KEYS = ("names", "nums", "cooccurrence")


@dataclass(frozen=True, eq=False)
class LabelStatistics:
    """Per-label counts ``N`` and pair counts ``M`` of a set of multi-label targets.

    Args:
        classes: the K label names; their order is the label index.
        counts: ``N_i``, the number of samples carrying label ``i``.
        pairs: ``M_ij``, the number of samples carrying both ``i`` and ``j``; symmetric with a
            zero diagonal.
        num_samples: the number of samples the counts were taken over.
        known_pairs: ``D_ij``, the number of samples where i is a known positive and j is
            known (partial labels; see the module docstring); None when every label is known
            (then ``D_ij = N_i``).

    Shapes:
        - counts: (K,) int64
        - pairs: (K, K) int64
        - known_pairs: (K, K) int64 or None

    Raises:
        ValueError: if the shapes disagree with ``len(classes)``, a count is negative or above
            what it is bounded by, ``pairs`` is not symmetric or its diagonal is not zero.
    """

    classes: tuple[str, ...]
    counts: np.ndarray
    pairs: np.ndarray
    num_samples: int
    known_pairs: np.ndarray | None = None

    def __post_init__(self) -> None:
        classes = tuple(str(name) for name in self.classes)
        counts = _as_int64(self.counts, "counts")
        pairs = _as_int64(self.pairs, "pairs")
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "pairs", pairs)
        object.__setattr__(self, "num_samples", int(self.num_samples))
        problem = _check_statistics(classes, counts, pairs, self.num_samples)
        if problem is None and self.known_pairs is not None:
            known = _as_int64(self.known_pairs, "known_pairs")
            object.__setattr__(self, "known_pairs", known)
            problem = _check_known_pairs(classes, counts, pairs, known)
        if problem:
            raise ValueError(f"LabelStatistics: {problem}")

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_targets(
        cls,
        targets: np.ndarray | torch.Tensor,
        classes: Sequence[str],
        unknown: np.ndarray | torch.Tensor | None = None,
    ) -> LabelStatistics:
        """Count labels and label pairs in a 0/1 target matrix (``M = T^T T``, diagonal zeroed).

        With ``unknown``, only known entries count: ``T = Y * O`` with ``O = 1 - unknown``,
        ``N = 1^T T``, ``M = T^T T`` and ``D = T^T O`` (see the module docstring).

        Args:
            targets: 0/1 (or boolean) targets, one row per sample.
            classes: the K label names, in column order.
            unknown: optional mask of unknown entries (partial labels); their target value is
                not used.

        Shapes:
            - targets: (N, K)
            - unknown: (N, K) or None

        Raises:
            ValueError: if ``targets`` is not 2-D, holds values other than 0 and 1 (for example
                VOC's -1 for "absent"), or has a number of columns other than ``len(classes)``.
        """
        if isinstance(targets, torch.Tensor):
            targets = targets.detach().cpu().numpy()
        targets = np.asarray(targets)
        classes = tuple(classes)
        if targets.ndim != 2:
            raise ValueError(
                f"LabelStatistics.from_targets: targets must be a 2-D (N, K) 0/1 matrix, got "
                f"shape {targets.shape}."
            )
        if targets.shape[1] != len(classes):
            raise ValueError(
                f"LabelStatistics.from_targets: targets have {targets.shape[1]} columns but "
                f"{len(classes)} class names were given; pass one name per column."
            )
        values = np.unique(targets)
        if not np.isin(values, (0, 1)).all():
            raise ValueError(
                "LabelStatistics.from_targets: targets must hold only 0 and 1, found values "
                f"{values[~np.isin(values, (0, 1))][:5].tolist()}; map 'absent'/'difficult' "
                "codes (such as VOC's -1) to 0 first."
            )
        # float64 matrix products are exact for counts below 2**53 and use BLAS.
        t = targets.astype(np.float64)  # (N, K)
        known = None
        if unknown is not None:
            if isinstance(unknown, torch.Tensor):
                unknown = unknown.detach().cpu().numpy()
            unknown = np.asarray(unknown, dtype=bool)
            if unknown.shape != targets.shape:
                raise ValueError(
                    f"LabelStatistics.from_targets: unknown has shape {unknown.shape}, the "
                    f"targets {targets.shape}; pass one mask entry per target."
                )
            if unknown.any():
                known = (~unknown).astype(np.float64)  # (N, K), O
                t *= known
        counts = np.rint(t.sum(axis=0)).astype(np.int64)  # (K,)
        pairs = np.rint(t.T @ t).astype(np.int64)  # (K, K)
        np.fill_diagonal(pairs, 0)
        known_pairs = None if known is None else np.rint(t.T @ known).astype(np.int64)  # (K, K)
        return cls(classes, counts, pairs, targets.shape[0], known_pairs)

    @classmethod
    def from_json(cls, path: str | os.PathLike, num_samples: int | None = None) -> LabelStatistics:
        """Read statistics written by :meth:`to_json` (or in ML-GCN's converted layout).

        Args:
            path: the JSON file.
            num_samples: the number of samples, for files that do not store it (ML-GCN's
                statistics do not); ignored when the file has ``num_samples``.

        Raises:
            FileNotFoundError: if ``path`` does not exist.
            ValueError: naming the file, if it is not JSON, misses a key, or its counts are
                malformed (wrong shapes, negative, ``M_ij > N_i``, not symmetric).
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"Label statistics file {path} does not exist.")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
            reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)
            raise ValueError(f"Label statistics file {path} is not valid JSON: {reason}.") from err
        if not isinstance(data, dict):
            raise ValueError(
                f"Label statistics file {path} must hold a JSON object with keys "
                f"{list(_REQUIRED_KEYS) + ['num_samples']}, got a {type(data).__name__}."
            )
        missing = [key for key in _REQUIRED_KEYS if key not in data]
        if missing:
            raise ValueError(
                f"Label statistics file {path} misses the key(s) {missing}; it needs "
                f"{list(_REQUIRED_KEYS)} (class names, per-label counts N, pair counts M) and "
                "'num_samples'."
            )
        if "num_samples" in data:
            num_samples = data["num_samples"]
        elif num_samples is None:
            raise ValueError(
                f"Label statistics file {path} has no 'num_samples'; add it to the file or "
                "pass num_samples= to LabelStatistics.from_json."
            )
        names = data["names"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"Label statistics file {path}: 'names' must be a list of strings.")
        try:
            counts = _as_int64(data["nums"], "nums")
            pairs = _as_int64(data["cooccurrence"], "cooccurrence")
            if isinstance(num_samples, bool) or not isinstance(num_samples, int | np.integer):
                raise ValueError(f"'num_samples' must be an integer, got {num_samples!r}")
        except ValueError as err:
            raise ValueError(f"Label statistics file {path}: {err}.") from err
        known_pairs = None
        if data.get("known_pairs") is not None:
            try:
                known_pairs = _as_int64(data["known_pairs"], "known_pairs")
            except ValueError as err:
                raise ValueError(f"Label statistics file {path}: {err}.") from err
        problem = _check_statistics(tuple(names), counts, pairs, int(num_samples))
        if problem is None and known_pairs is not None:
            problem = _check_known_pairs(tuple(names), counts, pairs, known_pairs)
        if problem:
            raise ValueError(f"Label statistics file {path}: {problem}")
        return cls(tuple(names), counts, pairs, int(num_samples), known_pairs)

    @classmethod
    def shipped(cls, name: str) -> LabelStatistics:
        """The real statistics shipped in the package: ``"coco"`` (COCO train2014, 80 labels in
        alphabetical order) or ``"voc"`` (VOC2007 trainval, 20 labels in VOC's order)."""
        if name not in SHIPPED_STATISTICS:
            raise ValueError(
                f"No shipped label statistics named {name!r}; choose one of "
                f"{sorted(SHIPPED_STATISTICS)}, or compute them from a dataset with "
                "label_statistics_for(dataset, cache_dir)."
            )
        filename, num_samples = SHIPPED_STATISTICS[name]
        resource = resources.files("mlrkit") / "data" / "label_stats" / filename
        with resources.as_file(resource) as path:
            return cls.from_json(path, num_samples=num_samples)

    # -- use ------------------------------------------------------------------------------------
    @property
    def num_classes(self) -> int:
        """K, the number of labels."""
        return len(self.classes)

    def conditional(self) -> np.ndarray:
        """``P_ij = M_ij / N_i`` (the probability of label j given label i); 0 where N_i = 0.

        With partial labels ``P_ij = M_ij / D_ij`` (only images whose label j is known count),
        0 where ``D_ij = 0``.

        Shapes:
            - output: (K, K) float64, row i conditioned on label i
        """
        if self.known_pairs is None:
            denominator = np.broadcast_to(self.counts.astype(np.float64)[:, None], self.pairs.shape)
        else:
            denominator = self.known_pairs.astype(np.float64)  # (K, K)
        out = np.zeros(self.pairs.shape, dtype=np.float64)
        np.divide(self.pairs, denominator, out=out, where=denominator > 0)
        return out

    def reordered(self, order: Sequence[int]) -> LabelStatistics:
        """The same statistics with the labels in the order ``order`` (indices into classes)."""
        order = list(order)
        return LabelStatistics(
            tuple(self.classes[i] for i in order),
            self.counts[order],
            self.pairs[np.ix_(order, order)],
            self.num_samples,
            None if self.known_pairs is None else self.known_pairs[np.ix_(order, order)],
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict that :meth:`to_json` writes."""
        out = {
            "names": list(self.classes),
            "nums": self.counts.tolist(),
            "cooccurrence": self.pairs.tolist(),
            "num_samples": self.num_samples,
        }
        if self.known_pairs is not None:
            out["known_pairs"] = self.known_pairs.tolist()
        return out

    def to_json(self, path: str | os.PathLike) -> Path:
        """Write the statistics as JSON, atomically (a temporary file renamed over ``path``), so
        that a concurrent reader never sees a partial file. Returns the path written."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LabelStatistics):
            return NotImplemented
        return (
            self.classes == other.classes
            and self.num_samples == other.num_samples
            and np.array_equal(self.counts, other.counts)
            and np.array_equal(self.pairs, other.pairs)
            and (self.known_pairs is None) == (other.known_pairs is None)
            and (self.known_pairs is None or np.array_equal(self.known_pairs, other.known_pairs))
        )

    __hash__ = None  # mutable arrays inside: not hashable

    def __repr__(self) -> str:
        return (
            f"LabelStatistics(num_classes={self.num_classes}, num_samples={self.num_samples}, "
            f"classes={self.classes[:3]}{'...' if self.num_classes > 3 else ''})"
        )


def label_statistics_for(dataset: Any, cache_dir: str | os.PathLike | None) -> LabelStatistics:
    """The label statistics of a (training) dataset, computed once and cached as JSON.

    The file is ``cache_dir/label_stats/<dataset.cache_key()>.json``. The key hashes the
    targets and class names, so a changed dataset gets a new file; an existing file is reused
    after checking that its class names are the dataset's.

    Args:
        dataset: anything with ``targets`` ((N, K) 0/1), ``classes`` (K names),
            ``cache_key()`` and optionally ``unknown`` ((N, K) bool; only known entries
            count), such as a :class:`~mlrkit.datasets.base.MultiLabelDataset`.
        cache_dir: the folder to cache in; ``None`` computes without caching.

    Raises:
        ValueError: if the cached file does not describe this dataset's classes.
    """
    classes = tuple(dataset.classes)
    unknown = getattr(dataset, "unknown", None)
    if cache_dir is None:
        return LabelStatistics.from_targets(dataset.targets, classes, unknown)
    path = Path(cache_dir) / "label_stats" / f"{dataset.cache_key()}.json"
    if path.is_file():
        stats = LabelStatistics.from_json(path)
        if stats.classes != classes:
            raise ValueError(
                f"Cached label statistics {path} are for the classes {stats.classes[:5]}... "
                f"but the dataset has {classes[:5]}...; delete the file to recompute it."
            )
        return stats
    stats = LabelStatistics.from_targets(dataset.targets, classes, unknown)
    stats.to_json(path)
    return stats


def _as_int64(values: Any, name: str) -> np.ndarray:
    """Integer-valued counts as an int64 array; a clear ValueError for anything else."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    try:
        array = np.asarray(values)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"'{name}' is not a rectangular array of counts ({err})") from err
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise ValueError(f"'{name}' must hold integer counts, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all() or not np.array_equal(array, np.round(array)):
            raise ValueError(f"'{name}' must hold integer counts, found non-integer values")
    return array.astype(np.int64)


def _check_statistics(
    classes: tuple[str, ...], counts: np.ndarray, pairs: np.ndarray, num_samples: int
) -> str | None:
    """What is wrong with these statistics, or None."""
    k = len(classes)
    if len(set(classes)) != k:
        dupes = sorted({c for c in classes if classes.count(c) > 1})
        return f"class names must be unique, {dupes} appear more than once."
    if counts.shape != (k,):
        return f"'nums' (N) must have shape ({k},) for {k} classes, got {counts.shape}."
    if pairs.shape != (k, k):
        return f"'cooccurrence' (M) must have shape ({k}, {k}) for {k} classes, got {pairs.shape}."
    if num_samples < 0:
        return f"'num_samples' must be >= 0, got {num_samples}."
    if (counts < 0).any() or (pairs < 0).any():
        return "counts must be non-negative, found negative values in 'nums' or 'cooccurrence'."
    if (np.diagonal(pairs) != 0).any():
        return "the diagonal of 'cooccurrence' (M_ii) must be zero; N_i belongs in 'nums'."
    if not np.array_equal(pairs, pairs.T):
        return "'cooccurrence' (M) must be symmetric: M_ij counts the samples with both i and j."
    too_many = np.argwhere(pairs > counts[:, None])
    if too_many.size:
        i, j = too_many[0]
        return (
            f"M_ij > N_i for {len(too_many)} pair(s), e.g. M[{i}, {j}] = {pairs[i, j]} > "
            f"N[{i}] = {counts[i]} ({classes[i]!r}, {classes[j]!r}): a pair cannot occur more "
            "often than either of its labels."
        )
    if k and counts.max() > num_samples:
        return (
            f"N_i = {counts.max()} exceeds num_samples = {num_samples}: a label cannot occur in "
            "more samples than there are."
        )
    return None


def _check_known_pairs(
    classes: tuple[str, ...], counts: np.ndarray, pairs: np.ndarray, known: np.ndarray
) -> str | None:
    """What is wrong with ``D`` (known_pairs) given N and M, or None: M_ij <= D_ij <= N_i."""
    k = len(classes)
    if known.shape != (k, k):
        return f"'known_pairs' (D) must have shape ({k}, {k}) for {k} classes, got {known.shape}."
    off = ~np.eye(k, dtype=bool)
    if (known < pairs)[off].any() or (known > counts[:, None]).any():
        return (
            "'known_pairs' (D) must satisfy M_ij <= D_ij <= N_i: D_ij counts the samples with "
            "label i whose label j is known."
        )
    return None
