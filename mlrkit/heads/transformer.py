"""Post-norm transformer layers and the 2-D sine positional encoding of the query-based heads.

These are the DETR-style building blocks that Query2Label
(:class:`~mlrkit.heads.query2label.Query2LabelHead`) runs over the backbone's tokens. Unlike
``torch.nn.TransformerEncoderLayer`` / ``DecoderLayer`` they add a positional embedding to the
queries and keys of each attention but not to its values, and the decoder layer can drop its
self-attention. Every layer is post-norm: ``t <- LayerNorm(t + Dropout(sublayer(t)))``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

__all__ = [
    "FeedForward",
    "PostNormEncoderLayer",
    "PostNormDecoderLayer",
    "sine_position_encoding",
]


def sine_position_encoding(
    height: int,
    width: int,
    channels: int,
    temperature: float = 10000.0,
    device: torch.device | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    r"""DETR's normalised 2-D sine encoding of an ``height x width`` grid.

    Row :math:`r = 1..H` and column :math:`c = 1..W` are mapped to
    :math:`\hat y = 2\pi r / (H + 10^{-6})` and :math:`\hat x = 2\pi c / (W + 10^{-6})`. With
    :math:`n = C/2` and :math:`\omega_m = T^{2\lfloor m/2 \rfloor / n}`, channel
    :math:`m < n` is :math:`\sin(\hat y/\omega_m)` for even m and :math:`\cos(\hat y/\omega_m)`
    for odd m; channels :math:`n..2n-1` are the same functions of :math:`\hat x` (the y half
    comes first).

    Args:
        height: H.
        width: W.
        channels: C, even.
        temperature: T.
        device: where to build the tensor.
        dtype: its dtype.

    Shapes:
        - output: (C, H, W)
    """
    if channels % 2:
        raise ValueError(f"sine_position_encoding: channels must be even, got {channels}.")
    n = channels // 2
    eps, scale = 1e-6, 2 * math.pi
    rows = torch.arange(1, height + 1, device=device, dtype=torch.float64)
    cols = torch.arange(1, width + 1, device=device, dtype=torch.float64)
    y_hat = rows / (height + eps) * scale  # (H,)
    x_hat = cols / (width + eps) * scale  # (W,)
    m = torch.arange(n, device=device, dtype=torch.float64)
    omega = temperature ** (2 * torch.div(m, 2, rounding_mode="floor") / n)  # (n,)
    even = (m % 2 == 0)[:, None]  # (n, 1)

    def encode(t: Tensor) -> Tensor:
        angles = t[None, :] / omega[:, None]  # (n, L)
        return torch.where(even, angles.sin(), angles.cos())  # (n, L)

    pos_y = encode(y_hat)[:, :, None].expand(n, height, width)  # (n, H, W)
    pos_x = encode(x_hat)[:, None, :].expand(n, height, width)  # (n, H, W)
    return torch.cat([pos_y, pos_x], dim=0).to(dtype)  # (C, H, W)


class FeedForward(nn.Module):
    r"""The position-wise MLP: :math:`W_2\,\mathrm{Drop}(\mathrm{ReLU}(W_1 t + b_1)) + b_2`.

    Args:
        dim: model width d.
        hidden: hidden width F.
        dropout: dropout probability on the hidden layer.

    Shapes:
        - input, output: (..., d)
    """

    def __init__(self, dim: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.linear1 = nn.Linear(dim, hidden)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(hidden, dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


def _with_pos(x: Tensor, pos: Tensor | None) -> Tensor:
    return x if pos is None else x + pos


class PostNormEncoderLayer(nn.Module):
    r"""Self-attention over tokens with the positional embedding on queries and keys, then an FFN.

    .. math::

        M \leftarrow \mathrm{LN}_1\big(M + \mathrm{Drop}(\mathrm{MHA}(M + P, M + P, M))\big),
        \qquad M \leftarrow \mathrm{LN}_2\big(M + \mathrm{Drop}(\mathrm{FFN}(M))\big)

    Args:
        dim: model width d.
        num_heads: attention heads (d must be divisible by it).
        ffn_dim: FFN hidden width F.
        dropout: dropout on the attention probabilities, both residual branches and the FFN.

    Shapes:
        - tokens: (B, N, d)
        - pos: (B, N, d), (1, N, d) or None
        - output: (B, N, d)
    """

    def __init__(self, dim: int, num_heads: int, ffn_dim: int, dropout: float) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(dim, num_heads, dropout=dropout, batch_first=True)
        self.ffn = FeedForward(dim, ffn_dim, dropout)
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def forward(self, tokens: Tensor, pos: Tensor | None = None) -> Tensor:
        qk = _with_pos(tokens, pos)
        attended = self.self_attn(qk, qk, tokens, need_weights=False)[0]
        tokens = self.norm1(tokens + self.dropout1(attended))
        return self.norm2(tokens + self.dropout2(self.ffn(tokens)))


class PostNormDecoderLayer(nn.Module):
    r"""Optional query self-attention, cross-attention to the tokens, then an FFN.

    With the query positional embedding :math:`E` and the token one :math:`P`:

    .. math::

        T \leftarrow \mathrm{LN}_1\big(T + \mathrm{Drop}(\mathrm{MHA}(T + E, T + E, T))\big)
        \ \text{(only with ``self_attention``)},

        T \leftarrow \mathrm{LN}_2\big(T + \mathrm{Drop}(\mathrm{MHA}(T + E, M + P, M))\big),
        \qquad T \leftarrow \mathrm{LN}_3\big(T + \mathrm{Drop}(\mathrm{FFN}(T))\big)

    Args:
        dim: model width d.
        num_heads: attention heads.
        ffn_dim: FFN hidden width F.
        dropout: dropout probability everywhere.
        self_attention: keep the query self-attention (and its norm).

    Shapes:
        - queries: (B, K, d); query_pos: (B, K, d), (1, K, d) or None
        - memory: (B, N, d); pos: (B, N, d), (1, N, d) or None
        - output: (B, K, d)
    """

    def __init__(
        self, dim: int, num_heads: int, ffn_dim: int, dropout: float, self_attention: bool
    ) -> None:
        super().__init__()
        if self_attention:
            self.self_attn = nn.MultiheadAttention(
                dim, num_heads, dropout=dropout, batch_first=True
            )
            self.norm1 = nn.LayerNorm(dim)
            self.dropout1 = nn.Dropout(dropout)
        else:
            self.self_attn = None
        self.cross_attn = nn.MultiheadAttention(dim, num_heads, dropout=dropout, batch_first=True)
        self.ffn = FeedForward(dim, ffn_dim, dropout)
        self.norm2 = nn.LayerNorm(dim)
        self.norm3 = nn.LayerNorm(dim)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)

    def forward(
        self,
        queries: Tensor,
        memory: Tensor,
        query_pos: Tensor | None = None,
        pos: Tensor | None = None,
    ) -> Tensor:
        if self.self_attn is not None:
            qk = _with_pos(queries, query_pos)
            attended = self.self_attn(qk, qk, queries, need_weights=False)[0]
            queries = self.norm1(queries + self.dropout1(attended))
        attended = self.cross_attn(
            _with_pos(queries, query_pos), _with_pos(memory, pos), memory, need_weights=False
        )[0]
        queries = self.norm2(queries + self.dropout2(attended))
        return self.norm3(queries + self.dropout3(self.ffn(queries)))
