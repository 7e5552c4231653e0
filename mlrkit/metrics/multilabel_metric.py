"""MultiLabelMetric: the mmengine metric that evaluates a multi-label classifier.

It keeps one entry per sample (so mmengine's ``collect_results`` can gather the ranks and drop
the sampler's padding), and hands the stacked arrays to :mod:`mlrkit.metrics.functional`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from torch import Tensor

from mlrkit.checks import positive_int
from mlrkit.metrics.functional import (
    AP_MODES,
    CF1_MODES,
    DIFFICULT_MODES,
    TOP_K_MODES,
    _check_choice,
    evaluate,
)
from mlrkit.registry import METRICS

__all__ = ["MultiLabelMetric"]


@METRICS.register_module()
class MultiLabelMetric(BaseMetric):
    """mAP, CP, CR, CF1, OP, OR, OF1, the same six at top-k, and per-class AP, in percent.

    Every convention of :func:`mlrkit.metrics.functional.multilabel_metrics` is an option
    (docs/conventions.md, "Metrics"; defaults as there). ``process`` takes the list of
    per-sample dicts the classifier returns in predict mode, ``{"scores": logits (K,),
    "gt_label": (K,), "difficult": (K,) bool, "unknown": (K,) bool}`` (either mask may be
    missing: none such labels; unknown labels are left out of every figure per class), and keeps
    them on the CPU; mmengine gathers them across ranks; ``compute_metrics`` returns the 13
    figures and ``AP/<class name>`` for each class that has a positive (names from
    ``dataset_meta["classes"]`` when the evaluator sets it, else the class index).

    Args:
        threshold: Predict where ``sigmoid(score) >= threshold``.
        difficult_mode: ``"ignore"`` | ``"negative"`` (ML-GCN) | ``"positive"``.
        cf1: ``"harmonic"`` | ``"mean_f1"``.
        top_k: k of the ``@k`` figures.
        top_k_mode: ``"thresholded"`` | ``"exact"``.
        ap_mode: ``"standard"`` | ``"tie_grouped"`` | ``"voc11"`` | ``"interpolated"``.
        per_class_ap: Also report ``AP/<class>`` for every class with a positive.
        class_thresholds: (K,) probabilities, e.g. fitted by ``mlrkit calibrate``; adds CP,
            CR, CF1, OP, OR, OF1 with class k predicted where ``sigmoid(score_k) >= t_k``,
            named ``calibrated/CP``, ... (beside the 13 figures at ``threshold``).
        collect_device: ``"cpu"`` or ``"gpu"``: where mmengine gathers the results.
        prefix: Prefix of the metric names; ``"multilabel"`` by default.
        collect_dir: Directory for gathering on the CPU (mmengine's option).

    Example:
        >>> import torch
        >>> metric = MultiLabelMetric(top_k=1)
        >>> metric.dataset_meta = {"classes": ("cat", "dog")}
        >>> metric.process(None, [
        ...     {"scores": torch.tensor([2.0, -1.0]), "gt_label": torch.tensor([1.0, 0.0])},
        ...     {"scores": torch.tensor([-1.0, 1.0]), "gt_label": torch.tensor([1.0, 1.0])},
        ... ])
        >>> result = metric.evaluate(size=2)
        >>> result["multilabel/mAP"], result["multilabel/AP/dog"], result["multilabel/OR"]
        (100.0, 100.0, 66.66666666666667)
    """

    default_prefix = "multilabel"

    def __init__(
        self,
        threshold: float = 0.5,
        difficult_mode: str = "ignore",
        cf1: str = "harmonic",
        top_k: int = 3,
        top_k_mode: str = "thresholded",
        ap_mode: str = "standard",
        per_class_ap: bool = True,
        class_thresholds: Sequence[float] | None = None,
        collect_device: str = "cpu",
        prefix: str | None = None,
        collect_dir: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        _check_choice("difficult_mode", difficult_mode, DIFFICULT_MODES)
        _check_choice("cf1", cf1, CF1_MODES)
        _check_choice("top_k_mode", top_k_mode, TOP_K_MODES)
        _check_choice("ap_mode", ap_mode, AP_MODES)
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"MultiLabelMetric: threshold={threshold} must lie in (0, 1)")
        positive_int("MultiLabelMetric", "top_k", top_k)
        self.options = dict(
            threshold=threshold,
            difficult_mode=difficult_mode,
            cf1=cf1,
            top_k=top_k,
            top_k_mode=top_k_mode,
            ap_mode=ap_mode,
        )
        self.per_class_ap = per_class_ap
        self.class_thresholds = None
        if class_thresholds is not None:
            values = torch.as_tensor(list(class_thresholds), dtype=torch.float64)
            if values.ndim != 1 or not ((values > 0) & (values < 1)).all():
                raise ValueError(
                    "MultiLabelMetric: class_thresholds must be K probabilities in (0, 1)."
                )
            self.class_thresholds = values

    def process(self, data_batch: Any, data_samples: Sequence[Mapping[str, Any]]) -> None:
        """Keep each sample's logits, targets, difficult and unknown masks as CPU tensors.

        Args:
            data_batch: The loader's batch (unused: the targets come with the predictions).
            data_samples: One dict per sample with ``scores`` and ``gt_label`` (and optionally
                ``difficult`` and ``unknown``), as returned by the classifier in predict mode.

        Shapes:
            - data_samples[i]["scores"], ["gt_label"], ["difficult"], ["unknown"]: (K,)
        """
        if isinstance(data_samples, Mapping) or not isinstance(data_samples, Sequence):
            raise TypeError(
                "MultiLabelMetric.process expects a list of per-sample dicts (the model's "
                f"predict-mode output), got {type(data_samples).__name__}"
            )
        for sample in data_samples:
            missing = [key for key in ("scores", "gt_label") if key not in sample]
            if missing:
                raise ValueError(
                    f"MultiLabelMetric: a data sample lacks {missing}; it has {sorted(sample)}. "
                    "Each must hold 'scores' (K,) logits and 'gt_label' (K,) 0/1 targets."
                )
            scores = torch.as_tensor(sample["scores"]).detach().to("cpu")
            if scores.dtype in (torch.float16, torch.bfloat16):
                scores = scores.float()  # exact, and what the float64 maths reads anyway
            if scores.ndim != 1:
                raise ValueError(
                    f"MultiLabelMetric: scores must be (K,) per sample, got {tuple(scores.shape)}"
                )
            gt_label = _binary(sample["gt_label"], "gt_label", scores.shape, sample)
            masks = []
            for key in ("difficult", "unknown"):
                mask = sample.get(key)
                if mask is None:
                    masks.append(torch.zeros(scores.shape, dtype=torch.bool))
                else:
                    masks.append(_binary(mask, key, scores.shape, sample))
            self.results.append((scores.clone(), gt_label, *masks))

    def compute_metrics(
        self, results: list[tuple[Tensor, Tensor, Tensor, Tensor]]
    ) -> dict[str, float]:
        """Stack the gathered samples and evaluate them.

        Args:
            results: One ``(scores, gt_label, difficult, unknown)`` tuple per sample, from all
                ranks.

        Returns:
            The 13 figures (see :func:`mlrkit.metrics.functional.metric_names`) and, when
            ``per_class_ap``, ``AP/<class>`` for each class with a positive; floats, percent.
        """
        if not results:
            raise ValueError(
                "MultiLabelMetric got no samples: the evaluation loader was empty or "
                "process() was never called"
            )
        sizes = {entry[0].numel() for entry in results}
        if len(sizes) != 1:
            raise ValueError(
                f"MultiLabelMetric: samples have different numbers of classes {sorted(sizes)}"
            )
        scores = torch.stack([entry[0] for entry in results])  # (N, K)
        targets = torch.stack([entry[1] for entry in results])  # (N, K)
        difficult = torch.stack([entry[2] for entry in results])  # (N, K)
        unknown = torch.stack([entry[3] for entry in results])  # (N, K)
        figures, ap = evaluate(scores, targets, difficult, unknown=unknown, **self.options)
        if self.class_thresholds is not None:
            figures.update(self._calibrated(scores, targets, difficult, unknown))
        if not self.per_class_ap:
            return figures
        names = self._class_names(ap.numel())
        missing = [names[k] for k in range(ap.numel()) if torch.isnan(ap[k])]
        if missing:
            print_log(
                f"MultiLabelMetric: no positive sample for {len(missing)} class(es) "
                f"{missing[:10]}{'...' if len(missing) > 10 else ''}; their AP is left out "
                "of mAP and of the per-class AP",
                logger="current",
                level=logging.WARNING,
            )
        for name, value in zip(names, ap.tolist()):
            if value == value:  # not NaN
                figures[f"AP/{name}"] = value
        return figures

    def _calibrated(
        self, scores: Tensor, targets: Tensor, difficult: Tensor, unknown: Tensor
    ) -> dict[str, float]:
        """CP, CR, CF1, OP, OR, OF1 at the per-class thresholds, as ``calibrated/<name>``.

        ``sigmoid(s_k) >= t_k`` is ``s_k - logit(t_k) >= 0``: the shifted scores are evaluated
        at the threshold 0.5 (float64, so the shift adds no float32 rounding).

        Shapes:
            - scores, targets, difficult, unknown: (N, K)
        """
        t = self.class_thresholds
        if t.numel() != scores.shape[1]:
            raise ValueError(
                f"MultiLabelMetric: {t.numel()} class_thresholds for K={scores.shape[1]} classes"
            )
        shifted = scores.double() - (torch.log(t) - torch.log1p(-t))  # (N, K)
        options = dict(self.options, threshold=0.5)
        figures, _ = evaluate(shifted, targets, difficult, unknown=unknown, **options)
        return {f"calibrated/{k}": figures[k] for k in ("CP", "CR", "CF1", "OP", "OR", "OF1")}

    def _class_names(self, num_classes: int) -> list[str]:
        classes = (self.dataset_meta or {}).get("classes")
        if classes is None:
            return [str(k) for k in range(num_classes)]
        if len(classes) != num_classes:
            raise ValueError(
                f"MultiLabelMetric: dataset_meta['classes'] names {len(classes)} classes but "
                f"the scores have K={num_classes}"
            )
        return [str(name) for name in classes]


def _binary(value: Any, name: str, shape: torch.Size, sample: Mapping[str, Any]) -> Tensor:
    """A sample's 0/1 vector as a bool CPU tensor, or a ValueError naming the sample.

    Shapes:
        - value: (K,) in, (K,) bool out
    """
    tensor = torch.as_tensor(value).detach().to("cpu")
    where = f" (sample index {int(sample['index'])})" if "index" in sample else ""
    if tensor.shape != shape:
        raise ValueError(
            f"MultiLabelMetric: {name} has shape {tuple(tensor.shape)} but scores has "
            f"{tuple(shape)}{where}; both must be (K,)"
        )
    if tensor.dtype != torch.bool:
        bad = (tensor != 0) & (tensor != 1)
        if bool(bad.any()):
            raise ValueError(
                f"MultiLabelMetric: {name} must hold only 0 and 1{where}, found "
                f"{torch.unique(tensor[bad])[:5].tolist()}"
            )
        tensor = tensor != 0
    return tensor.clone()
