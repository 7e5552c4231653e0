"""ADDGCNHead: attention pools one node per label; a static and a per-image dynamic GCN."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from mlrkit.checks import positive_int
from mlrkit.registry import HEADS

from .base import MultiLabelHead

__all__ = ["ADDGCNHead"]


@HEADS.register_module()
class ADDGCNHead(MultiLabelHead):
    r"""ADD-GCN: class activation maps pool label nodes, which a static and a dynamic GCN refine.

    Ye et al., "Attention-Driven Dynamic Graph Convolutional Network for Multi-Label Image
    Recognition", ECCV 2020, https://arxiv.org/abs/2012.02994; official code
    https://github.com/Yejin0111/ADD-GCN. This head computes what the official model and trainer
    compute. Label nodes are columns of C x K matrices; :math:`\rho` is LeakyReLU(0.2),
    :math:`\sigma` the sigmoid, :math:`x_n` the D-dim feature at position n (N = HW):

    .. math::

        A &= W_{cam} F \in \mathbb{R}^{K \times N}, \qquad
        s_m = \max_n A_{:, n} \qquad (\text{1x1 conv, no bias; spatial max}) \\
        V &= (W_t F + b_t)\, \sigma(A)^\top \in \mathbb{R}^{C \times K}
        \qquad (\text{SAM: } v_k = \textstyle\sum_n \sigma(A_{k,n}) (W_t x_n + b_t)) \\
        H &= V + \rho\big(W_s\, \rho(V A_s^\top) + b_s\big)
        \qquad (\text{static graph } A_s \in \mathbb{R}^{K \times K}\text{, learned freely}) \\
        g &= \rho\big(\mathrm{BN}(W_g\, \bar h + b_g)\big), \quad
        \bar h = \tfrac1K \textstyle\sum_k h_k, \qquad
        A_d = \sigma\big(W_a [g 1^\top; H] + b_a\big) \in \mathbb{R}^{K \times K} \\
        Z &= V + \rho\big(W_d\, \rho(H A_d) + b_d\big), \qquad
        s_{r,k} = w_k^\top z_k + b_k, \qquad \hat y = (s_m + s_r) / 2

    The attention is an un-normalised sigmoid summed over positions, so V grows with H x W, as
    in the official code. The average of the two scores is the official trainer's (the model
    returns both); the loss is applied once, to it. The official model multiplies the last
    layer's K x K output by a constant identity stored as a parameter to take its diagonal; here
    the diagonal is taken directly and no such parameter exists. The dynamic graph's
    BatchNorm1d needs more than one image per batch in training.

    ``static_graph=False`` / ``dynamic_graph=False`` remove a branch (the paper's ablations;
    without the static graph H = V, without the dynamic one Z = H).

    Parameters at ResNet-101 / 80 labels (D = 2048, C = 1024): 5,665,184; the official model's
    ``parameters()`` gives 5,671,584, which includes its constant 80 x 80 identity mask.

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the feature map.
        hidden_channels: width C of the label nodes (default D // 2, the official 1024 at
            D = 2048).
        negative_slope: slope of the LeakyReLUs (official 0.2).
        static_graph: use the static GCN branch.
        dynamic_graph: use the dynamic GCN branch.

    Shapes:
        - features: (B, D, H, W)
        - label_features: ignored
        - output: logits (B, K)
    """

    uses_label_features = False

    def __init__(
        self,
        num_classes: int,
        in_channels: int,
        hidden_channels: int | None = None,
        negative_slope: float = 0.2,
        static_graph: bool = True,
        dynamic_graph: bool = True,
    ) -> None:
        super().__init__(num_classes, in_channels)
        name = type(self).__name__
        C = max(1, in_channels // 2) if hidden_channels is None else hidden_channels
        positive_int(name, "hidden_channels", C)
        if not negative_slope >= 0:
            raise ValueError(f"{name}: negative_slope must be >= 0, got {negative_slope}.")
        K = num_classes
        self.hidden_channels = C
        self.static_graph = static_graph
        self.dynamic_graph = dynamic_graph
        self.act = nn.LeakyReLU(negative_slope)
        self.cam = nn.Conv2d(in_channels, K, 1, bias=False)
        self.transform = nn.Conv2d(in_channels, C, 1)
        if static_graph:
            self.static_adj = nn.Conv1d(K, K, 1, bias=False)
            self.static_weight = nn.Conv1d(C, C, 1)
        if dynamic_graph:
            self.global_conv = nn.Conv1d(C, C, 1)
            self.global_bn = nn.BatchNorm1d(C)
            self.adjacency_conv = nn.Conv1d(2 * C, K, 1)
            self.dynamic_weight = nn.Conv1d(C, C, 1)
        self.classifier = nn.Conv1d(C, K, 1)

    def forward(self, features: Tensor, label_features: Tensor | None = None) -> Tensor:
        self.check_inputs(features, label_features)
        if self.dynamic_graph and self.training and features.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__}: the dynamic graph's BatchNorm needs at least 2 images "
                f"per batch in training, got a batch of {features.shape[0]}."
            )
        activation = self.cam(features).flatten(2)  # (B, K, N)
        score_max = activation.amax(dim=2)  # (B, K)
        tokens = self.transform(features).flatten(2)  # (B, C, N)
        nodes = tokens @ torch.sigmoid(activation).transpose(1, 2)  # (B, C, K)
        hidden = nodes
        if self.static_graph:
            mixed = self.act(self.static_adj(nodes.transpose(1, 2))).transpose(1, 2)  # (B, C, K)
            hidden = nodes + self.act(self.static_weight(mixed))  # (B, C, K)
        out = hidden
        if self.dynamic_graph:
            glob = self.global_conv(hidden.mean(dim=2, keepdim=True))  # (B, C, 1)
            glob = self.act(self.global_bn(glob)).expand_as(hidden)  # (B, C, K)
            adjacency = torch.sigmoid(
                self.adjacency_conv(torch.cat([glob, hidden], dim=1))
            )  # (B, K, K)
            out = nodes + self.act(self.dynamic_weight(self.act(hidden @ adjacency)))  # (B, C, K)
        weight = self.classifier.weight[:, :, 0]  # (K, C): w_k scores node k only
        score_graph = torch.einsum("kc,bck->bk", weight, out) + self.classifier.bias  # (B, K)
        return (score_max + score_graph) / 2  # (B, K)

    def extra_repr(self) -> str:
        return (
            f"{super().extra_repr()}, hidden_channels={self.hidden_channels}, "
            f"static_graph={self.static_graph}, dynamic_graph={self.dynamic_graph}"
        )
