"""Label-graph adjacency matrices: binary, ML-GCN re-weighted, cosine-weighted (Weighted-GCN).

All follow docs/maths.md ("Label graph") and reproduce the code of ML-GCN (Chen et al.,
"Multi-Label Image Recognition with Graph Convolutional Networks", CVPR 2019, https://arxiv.org/abs/1904.03582),
``util.py`` ``gen_A`` / ``gen_adj``:

.. math::

    P_{ij} = M_{ij} / N_i, \\qquad A_{ij} = [P_{ij} \\ge \\tau]\\ (i \\ne j)

    A' = p \\, A \\oslash (\\mathbf{1} \\, \\mathbf{1}^\\top A + 10^{-6}) + I
    \\quad \\text{(columns of } A \\text{ summed; diagonal 1, not } 1 - p \\text{, as in the code)}

    \\hat A = D^{-1/2} A'^\\top D^{-1/2}, \\qquad D = \\mathrm{diag}(A' \\mathbf{1})
    \\quad \\text{(row sums; transposed, so not symmetric)}

The returned dense matrix is the operator: ``out = A_hat @ X``, row i aggregating from the
columns j, exactly as ML-GCN's ``GraphConvolution`` computes ``adj @ (X @ W)``.

**Direction** (``build_adjacency(direction=...)``, one option for every encoder). Because of
the transpose in ``gen_adj``, ML-GCN's label i aggregates from label j when
:math:`P(i \\mid j) = M_{ij} / N_j \\ge \\tau` (j "implies" i): ``direction="mlgcn"``, the
default, normalised or not. ``direction="conditional"`` is the transpose of that operator:
i aggregates from j when :math:`P(j \\mid i) \\ge \\tau`, the pattern of P's rows as they stand
(what an unnormalised graph gave before this option existed). On the shipped COCO statistics
at tau 0.5, ``person`` aggregates from 38 labels under ``"mlgcn"`` and from none under
``"conditional"``.

Every function computes in float64; :func:`build_adjacency` returns float32.
"""

from __future__ import annotations

import numpy as np
import torch

from .label_statistics import LabelStatistics

__all__ = [
    "ADJACENCY_KINDS",
    "DIRECTIONS",
    "binary_adjacency",
    "cosine_weighted",
    "reweight",
    "gen_adj",
    "build_adjacency",
]

#: The kinds :func:`build_adjacency` understands.
ADJACENCY_KINDS = ("binary", "reweighted", "cosine", "complete")

#: The directions :func:`build_adjacency` understands (see the module docstring).
DIRECTIONS = ("mlgcn", "conditional")

#: Added to ML-GCN's column sums before dividing (its code's constant).
_COLUMN_EPS = 1e-6


def _to_float64(values: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Any array-like as a float64 CPU tensor (no copy when it already is one)."""
    if not isinstance(values, torch.Tensor):
        values = torch.as_tensor(np.asarray(values))
    return values.detach().to(dtype=torch.float64, device="cpu")


def _as_float64(matrix: np.ndarray | torch.Tensor, name: str) -> torch.Tensor:
    """A square matrix as float64; ValueError naming ``name`` otherwise."""
    tensor = _to_float64(matrix)
    if tensor.ndim != 2 or tensor.shape[0] != tensor.shape[1]:
        shape = tuple(tensor.shape)
        raise ValueError(f"{name}: expected a square (K, K) matrix, got shape {shape}.")
    return tensor


def binary_adjacency(
    stats: LabelStatistics | np.ndarray | torch.Tensor, tau: float = 0.4
) -> torch.Tensor:
    """``A_ij = 1 if P_ij >= tau else 0``, with a zero diagonal.

    Args:
        stats: label statistics, or the conditional-probability matrix ``P`` itself.
        tau: the threshold, in [0, 1] (ML-GCN: 0.4; the Deep-LIFT paper: 0.5).

    Shapes:
        - P: (K, K)
        - output: (K, K) float64 of 0/1

    Note:
        ML-GCN's code thresholds P including its zero diagonal, so at ``tau = 0`` it would put
        1 on the diagonal; here the diagonal is always 0 (self-loops are added explicitly by
        :func:`reweight` or by :func:`build_adjacency`).
    """
    if not 0.0 <= float(tau) <= 1.0:
        raise ValueError(f"binary_adjacency: tau must be in [0, 1], got {tau}.")
    if isinstance(stats, LabelStatistics):
        prob = torch.from_numpy(stats.conditional())
    else:
        prob = _as_float64(stats, "binary_adjacency")
    adjacency = (prob >= tau).to(torch.float64)  # (K, K)
    adjacency.fill_diagonal_(0.0)
    return adjacency


def cosine_weighted(
    adjacency: np.ndarray | torch.Tensor, embeddings: np.ndarray | torch.Tensor
) -> torch.Tensor:
    """Weighted-GCN: each non-zero entry of ``adjacency`` replaced by the cosine similarity of
    the two labels' embeddings.

    Negative cosines are clamped to 0, which drops that edge. A negative weight would flip the
    sign of a neighbour's message, and in the re-weighting that follows it could cancel a
    column sum to about zero (a huge weight) or make a row sum of ``A'`` negative, where
    ``D^-1/2`` is undefined. Clamping keeps ``A'`` non-negative, as in every other kind, and
    reads "no semantic evidence" for an anti-aligned pair. It matters little in practice: with
    the shipped COCO GloVe vectors at ``tau = 0.4``, 6 of the 111 edges have a negative cosine,
    all small (-0.098 to -0.017) and all towards ``person`` (e.g. ``hot dog``, ``snowboard``).

    Args:
        adjacency: a (binary) adjacency; its zero pattern is kept.
        embeddings: one row per label.

    Shapes:
        - adjacency: (K, K)
        - embeddings: (K, d)
        - output: (K, K) float64
    """
    adjacency = _as_float64(adjacency, "cosine_weighted")
    emb = _to_float64(embeddings)
    if emb.ndim != 2 or emb.shape[0] != adjacency.shape[0]:
        raise ValueError(
            f"cosine_weighted: embeddings must have shape ({adjacency.shape[0]}, d), one row per "
            f"label, got {tuple(emb.shape)}."
        )
    if not torch.isfinite(emb).all():
        raise ValueError("cosine_weighted: embeddings contain NaN or inf.")
    unit = torch.nn.functional.normalize(emb, dim=1)  # (K, d); a zero row stays zero
    cosine = unit @ unit.T  # (K, K)
    return torch.where(adjacency != 0, cosine.clamp(min=0.0), torch.zeros_like(cosine))


def reweight(adjacency: np.ndarray | torch.Tensor, p: float = 0.25) -> torch.Tensor:
    """ML-GCN's re-weighting: ``A' = p * A / (A.sum(0) + 1e-6) + I``.

    Each column of ``A`` is divided by its sum (ML-GCN's ``_adj.sum(0, keepdims=True)``), so
    the neighbours feeding a label weigh ``p`` in total; the diagonal is then set by adding the
    identity (weight 1, not the ``1 - p`` of the ML-GCN paper's equation: the code's
    convention, reproduced here).

    Shapes:
        - adjacency: (K, K), zero diagonal
        - output: (K, K) float64
    """
    if not (np.isfinite(p) and p >= 0):
        raise ValueError(f"reweight: p must be a finite number >= 0, got {p}.")
    adjacency = _as_float64(adjacency, "reweight")
    column_sums = adjacency.sum(dim=0, keepdim=True)  # (1, K)
    out = adjacency * p / (column_sums + _COLUMN_EPS)  # (K, K)
    return out + torch.eye(adjacency.shape[0], dtype=torch.float64)


def gen_adj(adjacency: np.ndarray | torch.Tensor) -> torch.Tensor:
    """ML-GCN's normalisation: ``A_hat = D^-1/2 A^T D^-1/2`` with ``D`` the row sums of ``A``.

    ML-GCN computes ``matmul(matmul(A, D).t(), D)``, which is ``D A^T D``: the transpose is
    part of the reference and makes the result asymmetric; it is reproduced here. Keeps the
    input's floating dtype (float64 for anything else).

    Shapes:
        - adjacency: (K, K) with positive row sums
        - output: (K, K)

    Raises:
        ValueError: if a row sum is not positive (add self-loops first).
    """
    tensor = adjacency if isinstance(adjacency, torch.Tensor) else torch.as_tensor(adjacency)
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.float64)
    if tensor.ndim != 2 or tensor.shape[0] != tensor.shape[1]:
        raise ValueError(f"gen_adj: expected a square (K, K) matrix, got {tuple(tensor.shape)}.")
    row_sums = tensor.sum(dim=1)  # (K,)
    if not (row_sums > 0).all():
        bad = torch.nonzero(row_sums <= 0).flatten()[:5].tolist()
        raise ValueError(
            f"gen_adj: rows {bad} of the adjacency sum to <= 0, so D^-1/2 is undefined; add "
            "self-loops (A + I) before normalising."
        )
    d_inv_sqrt = row_sums.pow(-0.5)  # (K,)
    # D A^T D without forming diag(D): scale rows and columns of A^T.
    return d_inv_sqrt[:, None] * tensor.T * d_inv_sqrt[None, :]


def build_adjacency(
    stats: LabelStatistics,
    kind: str,
    tau: float = 0.4,
    p: float = 0.25,
    embeddings: np.ndarray | torch.Tensor | None = None,
    normalize: bool = True,
    direction: str = "mlgcn",
) -> torch.Tensor:
    """The adjacency a label encoder asks for, from label statistics.

    With ``direction="mlgcn"`` (the default):

    ============  =================================================  =========================
    kind          ``normalize=False``                                ``normalize=True``
    ============  =================================================  =========================
    binary        ``A^T`` (0/1, zero diagonal)                       ``gen_adj(A + I)``
    reweighted    ``A'^T``, ``A' = reweight(A, p)`` (ML-GCN gen_A)   ``gen_adj(A')`` (ML-GCN)
    cosine        ``A'^T``, ``A' = reweight(cosine_weighted(A))``    ``gen_adj(A')``
    complete      ``1 1^T`` (every pair, self included; tau unused)  ``gen_adj(1 1^T)`` = 1/K
    ============  =================================================  =========================

    so that entry (i, j) is non-zero exactly when :math:`P(i \\mid j) \\ge \\tau`, normalised or
    not (``gen_adj`` transposes). ``direction="conditional"`` returns the transpose of each
    entry: (i, j) non-zero when :math:`P(j \\mid i) \\ge \\tau`. ``complete`` is the official
    Deep-LIFT code's graph (``A = ones``), the same in both directions.

    For ``binary``, the self-loops (Kipf & Welling's ``A + I``) are added before normalising:
    without them a label with no neighbour has a zero row sum and ``D^-1/2`` is undefined.

    Args:
        stats: the training set's label statistics.
        kind: one of :data:`ADJACENCY_KINDS`.
        tau: the threshold on ``P_ij`` (ML-GCN 0.4, the paper's best 0.5).
        p: ML-GCN's re-weighting factor (ignored by ``binary``).
        embeddings: the label embeddings, needed by ``cosine`` only.
        normalize: apply ML-GCN's ``gen_adj``.
        direction: ``"mlgcn"`` (i aggregates from j when P(i | j) >= tau) or ``"conditional"``
            (when P(j | i) >= tau); one of :data:`DIRECTIONS`.

    Shapes:
        - embeddings: (K, d)
        - output: (K, K) float32, the operator ``out = A_hat @ X``

    Raises:
        ValueError: for an unknown ``kind`` or ``direction``, ``tau`` outside [0, 1], ``p < 0``,
            or ``cosine`` without embeddings of K rows.
    """
    if not isinstance(stats, LabelStatistics):
        raise ValueError(
            f"build_adjacency: stats must be a LabelStatistics, got {type(stats).__name__}; "
            "use LabelStatistics.from_targets / from_json / shipped."
        )
    if kind not in ADJACENCY_KINDS:
        raise ValueError(
            f"build_adjacency: unknown kind {kind!r}; choose one of {list(ADJACENCY_KINDS)}."
        )
    if direction not in DIRECTIONS:
        raise ValueError(
            f"build_adjacency: unknown direction {direction!r}; choose one of "
            f"{list(DIRECTIONS)} ('mlgcn': label i aggregates from j when P(i | j) >= tau)."
        )
    operator = _mlgcn_operator(stats, kind, tau, p, embeddings, normalize)  # (K, K)
    if direction == "conditional":
        operator = operator.T
    return operator.to(torch.float32).contiguous()


def _mlgcn_operator(
    stats: LabelStatistics,
    kind: str,
    tau: float,
    p: float,
    embeddings: np.ndarray | torch.Tensor | None,
    normalize: bool,
) -> torch.Tensor:
    """:func:`build_adjacency` in ML-GCN's direction, float64."""
    if kind == "complete":
        if not 0.0 <= float(tau) <= 1.0:
            raise ValueError(f"build_adjacency: tau must be in [0, 1], got {tau}.")
        ones = torch.ones(stats.num_classes, stats.num_classes, dtype=torch.float64)
        return gen_adj(ones) if normalize else ones
    adjacency = binary_adjacency(stats, tau)  # (K, K)
    if kind == "binary":
        eye = torch.eye(stats.num_classes, dtype=torch.float64)
        return gen_adj(adjacency + eye) if normalize else adjacency.T
    if kind == "cosine":
        if embeddings is None:
            raise ValueError(
                "build_adjacency: kind='cosine' weights each edge by the cosine similarity of "
                "the label embeddings; pass embeddings=<(K, d) array>, e.g. "
                "load_label_embeddings('GloVe300', stats.classes)."
            )
        adjacency = cosine_weighted(adjacency, embeddings)
    adjacency = reweight(adjacency, p)
    return gen_adj(adjacency) if normalize else adjacency.T
