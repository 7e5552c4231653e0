"""MLDecoderHead: group queries attend to the tokens; a group-wise linear layer gives the labels."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from mlrkit.checks import one_of, positive_int, probability
from mlrkit.registry import HEADS

from .base import MultiLabelHead
from .transformer import FeedForward

__all__ = ["MLDecoderHead", "MLDecoderLayer", "ML_DECODER_QUERIES"]

#: ``queries`` values: frozen random (official), trained, or projected label features.
ML_DECODER_QUERIES = ("fixed", "learned", "label_features")
#: Groups when ``num_groups`` is -1 and K is larger (the official cap).
MAX_DEFAULT_GROUPS = 100


class MLDecoderLayer(nn.Module):
    r"""ML-Decoder's decoder layer: no self-attention, cross-attention and an FFN, post-norm.

    .. math::

        Q &\leftarrow \mathrm{LN}_1(Q + \mathrm{Drop}(Q)) \\
        T &= \mathrm{LN}_2(Q + \mathrm{Drop}(\mathrm{MHA}(Q, M, M))), \qquad
        T \leftarrow \mathrm{LN}_3(T + \mathrm{Drop}(\mathrm{FFN}(T)))

    The first line is what the official layer keeps in place of the removed self-attention
    (in eval mode it is :math:`\mathrm{LN}_1(2Q)`); its affine LayerNorm is the only trained
    transform of frozen queries.

    Args:
        dim: width e.
        num_heads: attention heads.
        ffn_dim: FFN hidden width.
        dropout: dropout probability everywhere.

    Shapes:
        - queries: (B, G, e); memory: (B, N, e); output: (B, G, e)
    """

    def __init__(self, dim: int, num_heads: int, ffn_dim: int, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.norm3 = nn.LayerNorm(dim)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.cross_attn = nn.MultiheadAttention(dim, num_heads, dropout=dropout, batch_first=True)
        self.ffn = FeedForward(dim, ffn_dim, dropout)

    def forward(self, queries: Tensor, memory: Tensor) -> Tensor:
        queries = self.norm1(queries + self.dropout1(queries))
        attended = self.cross_attn(queries, memory, memory, need_weights=False)[0]
        queries = self.norm2(queries + self.dropout2(attended))
        return self.norm3(queries + self.dropout3(self.ffn(queries)))


@HEADS.register_module()
class MLDecoderHead(MultiLabelHead):
    r"""ML-Decoder: G group queries attend to the projected tokens; each group yields K/G labels.

    Ridnik et al., "ML-Decoder: Scalable and Versatile Classification Head", WACV 2023,
    https://arxiv.org/abs/2111.12933; official code https://github.com/Alibaba-MIIL/ML_Decoder.
    This head computes what the official ``MLDecoder`` computes (torch 2.x cannot run that file
    through ``nn.TransformerDecoder``, so the layer is called directly here). With the tokens
    :math:`X` (N = HW rows of width D), the queries :math:`Q` (G x e) and
    :math:`f = \lceil K/G \rceil` labels per group:

    .. math::

        M &= \mathrm{ReLU}(X W_e + b_e) \in \mathbb{R}^{N \times e}
        \quad (\text{no positional encoding}) \\
        T &= \mathrm{DecoderLayer}^{(L)}(Q, M) \in \mathbb{R}^{G \times e}
        \quad (\text{see } :class:`MLDecoderLayer`) \\
        o_{g,r} &= \textstyle\sum_c T_{g,c}\, W^{g}_{c,r}, \qquad
        \hat y_j = o_{\lfloor j/f \rfloor,\ j \bmod f} + b_j \quad (j < K)

    The group-wise linear layer ("group fully-connected") gives group g the labels
    ``g*f .. g*f+f-1``; the G*f - K slots past K are dropped. With G = K (the COCO default,
    "full decoding") it is one linear classifier per label. The official queries are
    N(0, 1) and frozen (still saved with the weights); ``"learned"`` trains them;
    ``"label_features"`` is the paper's zero-shot variant: the queries are the label features
    L (K x D) from the classifier's label encoder, projected as
    :math:`Q = \mathrm{ReLU}(L W_q + b_q)`, G = K, and one group weight (e x 1) shared by every
    label, so the head applies to labels it was not trained on. The official zero-shot model
    feeds the word vectors themselves; here they pass through the label encoder first (a
    one-layer encoder on an identity adjacency is a linear map of them).

    Parameters at ResNet-101 / 80 labels (D = 2048, e = 768, F = 2048, G = 80, one layer,
    8 heads): 7,212,112, of which 7,150,672 trainable (the frozen queries are 61,440), as the
    official model counts them.

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the feature map.
        embed_dim: decoder width e (official 768).
        num_groups: G; -1 (official) gives min(100, K). Ignored with label-feature queries.
        num_layers: decoder layers (official 1).
        num_heads: attention heads (official 8); e must be divisible by it.
        ffn_dim: FFN hidden width (official 2048).
        dropout: dropout probability (official 0.1).
        queries: one of :data:`ML_DECODER_QUERIES` (official ``"fixed"``).

    Shapes:
        - features: (B, D, H, W)
        - label_features: (K, D) with ``queries="label_features"``, else ignored
        - output: logits (B, K)
    """

    def __init__(
        self,
        num_classes: int,
        in_channels: int,
        embed_dim: int = 768,
        num_groups: int = -1,
        num_layers: int = 1,
        num_heads: int = 8,
        ffn_dim: int = 2048,
        dropout: float = 0.1,
        queries: str = "fixed",
    ) -> None:
        super().__init__(num_classes, in_channels)
        name = type(self).__name__
        positive_int(name, "embed_dim", embed_dim)
        positive_int(name, "num_layers", num_layers)
        positive_int(name, "num_heads", num_heads)
        positive_int(name, "ffn_dim", ffn_dim)
        probability(name, "dropout", dropout)
        if embed_dim % num_heads:
            raise ValueError(
                f"{name}: embed_dim {embed_dim} must be divisible by num_heads={num_heads}."
            )
        one_of(name, "queries", queries, ML_DECODER_QUERIES)
        if num_groups == -1:
            groups = min(MAX_DEFAULT_GROUPS, num_classes)
        else:
            groups = positive_int(name, "num_groups", num_groups)
            if groups > num_classes:
                raise ValueError(
                    f"{name}: num_groups ({groups}) must not exceed num_classes ({num_classes})."
                )
        self.queries = queries
        self.uses_label_features = queries == "label_features"
        if self.uses_label_features:
            groups = num_classes
        self.embed_dim = embed_dim
        self.num_groups = groups
        self.duplicate_factor = -(-num_classes // groups)  # ceil(K / G)
        self.embed = nn.Linear(in_channels, embed_dim)
        if self.uses_label_features:
            self.query_proj = nn.Linear(in_channels, embed_dim)
            self.register_parameter("query_embed", None)
            group_shape = (1, embed_dim, 1)
        else:
            self.query_proj = None
            self.query_embed = nn.Parameter(
                torch.empty(groups, embed_dim), requires_grad=queries == "learned"
            )
            group_shape = (groups, embed_dim, self.duplicate_factor)
        self.layers = nn.ModuleList(
            MLDecoderLayer(embed_dim, num_heads, ffn_dim, dropout) for _ in range(num_layers)
        )
        self.group_weight = nn.Parameter(torch.empty(group_shape))
        self.group_bias = nn.Parameter(torch.empty(num_classes))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The official initialisation: N(0, 1) queries, xavier-normal group weights, zero bias."""
        if self.query_embed is not None:
            nn.init.normal_(self.query_embed)
        nn.init.xavier_normal_(self.group_weight)
        nn.init.zeros_(self.group_bias)

    def forward(self, features: Tensor, label_features: Tensor | None = None) -> Tensor:
        self.check_inputs(features, label_features)
        B = features.shape[0]
        tokens = features.flatten(2).transpose(1, 2)  # (B, N, D)
        memory = torch.relu(self.embed(tokens))  # (B, N, e)
        if self.query_proj is not None:
            queries = torch.relu(self.query_proj(label_features))  # (K, e)
        else:
            queries = self.query_embed  # (G, e)
        hidden = queries.to(memory.dtype).unsqueeze(0).expand(B, -1, -1)  # (B, G, e)
        for layer in self.layers:
            hidden = layer(hidden, memory)  # (B, G, e)
        if self.query_proj is not None:
            return (hidden @ self.group_weight[0]).squeeze(-1) + self.group_bias  # (B, K)
        out = torch.einsum("bgc,gcr->bgr", hidden, self.group_weight)  # (B, G, f)
        return out.flatten(1)[:, : self.num_classes] + self.group_bias  # (B, K)

    def extra_repr(self) -> str:
        return (
            f"{super().extra_repr()}, embed_dim={self.embed_dim}, num_groups={self.num_groups}, "
            f"queries={self.queries!r}"
        )
