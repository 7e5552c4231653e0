"""Query2LabelHead: a transformer decoder with one query per label over the backbone's tokens."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from mlrkit.checks import non_negative_int, one_of, positive_int, probability
from mlrkit.registry import HEADS

from .base import MultiLabelHead
from .transformer import PostNormDecoderLayer, PostNormEncoderLayer, sine_position_encoding

__all__ = ["Query2LabelHead", "QUERY_KINDS"]

#: ``queries`` value -> whether the label queries are trained.
QUERY_KINDS = {"learned": True, "fixed": False}
POSITION_ENCODINGS = ("sine", "none")


@HEADS.register_module()
class Query2LabelHead(MultiLabelHead):
    r"""Query2Label: label queries attend to the image tokens through a transformer decoder.

    Liu et al., "Query2Label: A Simple Transformer Way to Multi-Label Classification",
    arXiv 2021, https://arxiv.org/abs/2107.10834; official code
    https://github.com/SlongLiu/query2labels. This head follows what the official code computes
    (its defaults), which differs from the paper's description in three places: the decoder has
    no self-attention, the label embeddings enter as a DETR-style query *positional* embedding
    (the content stream starts at zero), and a one-layer encoder runs over the tokens first.

    With the feature map :math:`F` (B x D x H x W), an optional 1x1 projection to width d
    (the identity when d = D, the official default), tokens :math:`M = \mathrm{flatten}(F)`
    (N = HW of them) and the sine positional encoding :math:`P` of the H x W grid
    (:func:`~mlrkit.heads.transformer.sine_position_encoding`, computed for the actual grid;
    it equals the official fixed 14 x 14 buffer at 448 px):

    .. math::

        M &\leftarrow \mathrm{LN}_1(M + \mathrm{Drop}(\mathrm{MHA}(M + P, M + P, M))), \quad
        M \leftarrow \mathrm{LN}_2(M + \mathrm{Drop}(\mathrm{FFN}(M)))
        \quad (\text{per encoder layer}) \\
        T_0 &= 0 \in \mathbb{R}^{K \times d}, \qquad E \in \mathbb{R}^{K \times d}
        \ \text{(label embeddings)} \\
        T &\leftarrow \mathrm{LN}_2(T + \mathrm{Drop}(\mathrm{MHA}(T + E, M + P, M))), \quad
        T \leftarrow \mathrm{LN}_3(T + \mathrm{Drop}(\mathrm{FFN}(T)))
        \quad (\text{per decoder layer}) \\
        h &= \mathrm{LN}_{dec}(T), \qquad \hat y_k = \langle w_k, h_k \rangle + b_k

    All layers are post-norm; attention heads split d; the FFN is
    :math:`W_2\,\mathrm{Drop}(\mathrm{ReLU}(W_1 t + b_1)) + b_2`. With
    ``decoder_self_attention=True`` each decoder layer first applies
    :math:`T \leftarrow \mathrm{LN}_1(T + \mathrm{Drop}(\mathrm{MHA}(T + E, T + E, T)))`, the
    paper's description. Initialisation as in the official code: xavier-uniform on every
    transformer matrix, N(0, 1) label embeddings, U(+-1/sqrt(d)) for the per-label classifier.

    Parameters at ResNet-101 / 80 labels (D = d = 2048, F = 8192, 1 encoder and 2 decoder
    layers, 4 heads, no input projection): 151,406,672, all trainable, as the official model
    counts them (155,603,024 with ``input_proj=True``).

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the feature map.
        hidden_dim: transformer width d (default D, the official setting).
        num_encoder_layers: encoder layers over the tokens (official 1; 0 drops the encoder).
        num_decoder_layers: decoder layers (official 2).
        num_heads: attention heads (official 4); d must be divisible by it.
        ffn_dim: FFN hidden width F (default 4d, the official 8192 at d = 2048).
        dropout: dropout probability (official 0.1).
        queries: ``"learned"`` label embeddings (official) or ``"fixed"`` random ones (N(0, 1),
            not trained, saved with the weights).
        decoder_self_attention: keep self-attention among the label queries (official: no).
        position_encoding: ``"sine"`` (official) or ``"none"``.
        input_proj: a 1x1 conv D -> d before the transformer; default: only when d != D
            (official: off, which needs d = D).

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
        hidden_dim: int | None = None,
        num_encoder_layers: int = 1,
        num_decoder_layers: int = 2,
        num_heads: int = 4,
        ffn_dim: int | None = None,
        dropout: float = 0.1,
        queries: str = "learned",
        decoder_self_attention: bool = False,
        position_encoding: str = "sine",
        input_proj: bool | None = None,
    ) -> None:
        super().__init__(num_classes, in_channels)
        name = type(self).__name__
        d = in_channels if hidden_dim is None else positive_int(name, "hidden_dim", hidden_dim)
        non_negative_int(name, "num_encoder_layers", num_encoder_layers)
        positive_int(name, "num_decoder_layers", num_decoder_layers)
        positive_int(name, "num_heads", num_heads)
        if d % num_heads or d % 2:
            raise ValueError(
                f"{name}: hidden_dim {d} must be even and divisible by num_heads={num_heads}."
            )
        ffn = 4 * d if ffn_dim is None else positive_int(name, "ffn_dim", ffn_dim)
        probability(name, "dropout", dropout)
        one_of(name, "queries", queries, QUERY_KINDS)
        one_of(name, "position_encoding", position_encoding, POSITION_ENCODINGS)
        if input_proj is None:
            input_proj = d != in_channels
        if not input_proj and d != in_channels:
            raise ValueError(
                f"{name}: without input_proj, hidden_dim ({d}) must equal in_channels "
                f"({in_channels}); set input_proj=True or drop hidden_dim."
            )
        self.hidden_dim = d
        self.queries = queries
        self.position_encoding = position_encoding
        self.input_proj = nn.Conv2d(in_channels, d, 1) if input_proj else nn.Identity()
        self.encoder = nn.ModuleList(
            PostNormEncoderLayer(d, num_heads, ffn, dropout) for _ in range(num_encoder_layers)
        )
        self.decoder = nn.ModuleList(
            PostNormDecoderLayer(d, num_heads, ffn, dropout, decoder_self_attention)
            for _ in range(num_decoder_layers)
        )
        self.decoder_norm = nn.LayerNorm(d)
        self.query_embed = nn.Parameter(
            torch.empty(num_classes, d), requires_grad=QUERY_KINDS[queries]
        )
        self.classifier_weight = nn.Parameter(torch.empty(num_classes, d))
        self.classifier_bias = nn.Parameter(torch.empty(num_classes))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The official initialisation (see the class docstring)."""
        for layer in [*self.encoder, *self.decoder]:
            for p in layer.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)
        nn.init.normal_(self.query_embed)
        bound = 1.0 / math.sqrt(self.hidden_dim)
        nn.init.uniform_(self.classifier_weight, -bound, bound)
        nn.init.uniform_(self.classifier_bias, -bound, bound)

    def forward(self, features: Tensor, label_features: Tensor | None = None) -> Tensor:
        self.check_inputs(features, label_features)
        B, _, H, W = features.shape
        tokens = self.input_proj(features).flatten(2).transpose(1, 2)  # (B, N, d)
        pos = None
        if self.position_encoding == "sine":
            pos = sine_position_encoding(
                H, W, self.hidden_dim, device=tokens.device, dtype=tokens.dtype
            )  # (d, H, W)
            pos = pos.flatten(1).T.unsqueeze(0)  # (1, N, d)
        for layer in self.encoder:
            tokens = layer(tokens, pos)  # (B, N, d)
        query_pos = self.query_embed.to(tokens.dtype).unsqueeze(0)  # (1, K, d)
        hidden = tokens.new_zeros(B, self.num_classes, self.hidden_dim)  # (B, K, d)
        for layer in self.decoder:
            hidden = layer(hidden, tokens, query_pos, pos)  # (B, K, d)
        hidden = self.decoder_norm(hidden)  # (B, K, d)
        return (hidden * self.classifier_weight).sum(-1) + self.classifier_bias  # (B, K)

    def extra_repr(self) -> str:
        return (
            f"{super().extra_repr()}, hidden_dim={self.hidden_dim}, queries={self.queries!r}, "
            f"position_encoding={self.position_encoding!r}"
        )
