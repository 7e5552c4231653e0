"""WeightedGCNEncoder: the GCN on the cosine-weighted label graph (Deep-LIFT, Table III)."""

from __future__ import annotations

from typing import Any, ClassVar

from mlrkit.registry import ENCODERS

from .gcn import GCNEncoder

__all__ = ["WeightedGCNEncoder"]


@ENCODERS.register_module()
class WeightedGCNEncoder(GCNEncoder):
    r"""The GCN of :class:`~mlrkit.encoders.gcn.GCNEncoder` on a cosine-weighted graph.

    Li et al., "Deep-LIFT: Deep Label-Specific Feature Learning for Image Annotation", IEEE
    Transactions on Cybernetics, https://doi.org/10.1109/TCYB.2021.3049630, ablation of Table
    III: every non-zero entry of the binary graph :math:`A` is replaced by the
    cosine similarity of the two labels' word embeddings, then re-weighted and normalised as in
    ML-GCN (``build_adjacency(kind="cosine")``). The layers are the GCN's:

    .. math::

        H^{(l+1)} = h\big(\hat A_{\cos} \, H^{(l)} W^{(l)}\big), \qquad H^{(0)} = X.

    Only the graph differs from :class:`GCNEncoder`: ``kind="cosine"`` with the paper's
    :math:`\tau = 0.5`.

    Args:
        in_dim: width d of the label embeddings.
        out_dim: width D of the output, the backbone's channels.
        hidden_dims: widths of the hidden layers (``(1024,)``).
        negative_slope: slope of the LeakyReLU between layers.
        bias: add a bias in each layer.
        graph: overrides of :attr:`default_graph` for ``build_adjacency``.

    Shapes:
        - x: (K, d)
        - adjacency: (K, K)
        - output: (K, D)
    """

    default_graph: ClassVar[dict[str, Any]] = dict(kind="cosine", tau=0.5, p=0.25)
