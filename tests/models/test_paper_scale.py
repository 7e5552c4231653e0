"""The paper's model at full size: Deep-LIFT on ResNet-101 for the 80 COCO labels.

Built without weights (nothing is downloaded). The paper (Sec. IV-A) gives 42.50 M parameters
for the ResNet-101 backbone, which timm's resnet101 without its classifier matches
(42,500,160), and 51.51 M in total. The official code's count is exact: backbone 42,500,160 +
gc1 616,627 + gc2 4,200,451 + the projection W 4,194,304 = 51,511,542 (its two MLPs and the
graph parameter left out). Each of its graph layers allocates an attention vector of 2 x
in_dim that its forward never uses (2 x 300 + 2 x 1,024 = 2,648 parameters); ours cannot hold
an unused parameter (DDP refuses it), so the official reading's layers are 616,027 and
4,198,403 and the sum adds those 2,648 explicitly. The paper-text reading (2-layer scoring MLP
of width 128, no biases) with the projection on, as in the full-scale configs, has 51.88 M.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from mlrkit.models.build import build_model

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.fixture(scope="module")
def deep_lift():
    return build_model(
        dict(
            type="MultiLabelClassifier",
            backbone=dict(type="TimmBackbone", model_name="resnet101"),
            encoder=dict(type="AttentionGCNEncoder"),
            head=dict(type="DeepLIFTHead", projection=True),
            num_classes=80,
            label_statistics="coco",
            label_embedding="GloVe300",
        )
    )


def test_backbone_has_the_papers_42_50_million_parameters(deep_lift):
    assert deep_lift.backbone.num_features == 2048
    assert round(count(deep_lift.backbone) / 1e6, 2) == 42.50


def test_encoder_and_head_sizes_follow_from_the_widths(deep_lift):
    h = 128  # the scoring MLP's hidden width

    def agcn_layer(d_in, d_out):  # W on [X || GX], then g: W1 (both halves, one bias), w2, b2
        return 2 * d_in * d_out + (d_in * h + h) + d_in * h + (h + 1)

    assert count(deep_lift.encoder) == agcn_layer(300, 1024) + agcn_layer(1024, 2048)
    K, hidden, cam_hidden = 80, 160, 20
    cam = (K * cam_hidden + cam_hidden) + (cam_hidden * K + K)
    mlp = (2 * K * hidden + hidden) + (hidden * K + K)
    assert count(deep_lift.head) == cam + mlp + 2048 * 2048  # + the projection
    total = count(deep_lift)
    assert total == count(deep_lift.backbone) + count(deep_lift.encoder) + count(deep_lift.head)
    assert round(total / 1e6, 2) == 51.88


def test_official_reading_has_the_papers_51_51_million_parameters():
    from mlrkit.engine.config import load_config

    cfg = load_config(CONFIGS / "coco" / "deeplift_official_r101_448.py").model.to_dict()
    cfg["backbone"]["pretrained_file"] = None
    model = build_model(dict(cfg, num_classes=80, label_statistics="coco"))
    gc1, gc2 = (count(conv) for conv in model.encoder.convs)
    # W on [X || GX] with a bias, then w_t, b_t, w_s, b_s and one PReLU slope
    assert gc1 == 600 * 1024 + 1024 + 2 * (300 + 1) + 1 == 616_627 - 2 * 300
    assert gc2 == 2048 * 2048 + 2048 + 2 * (1024 + 1) + 1 == 4_200_451 - 2 * 1024
    projection = model.head.projection.numel()
    assert count(model.backbone) == 42_500_160 and projection == 4_194_304
    unused_in_the_official_code = 2 * 300 + 2 * 1024
    total = count(model.backbone) + count(model.encoder) + projection
    assert total + unused_in_the_official_code == 51_511_542
    # the rest: the K -> K -> K MLP on the summed pooled maps; BatchNorm without parameters
    assert count(model.head) - projection == 2 * (80 * 80 + 80)
    assert count(model.encoder.input_norm) == 0


def test_forward_at_paper_scale(deep_lift):
    deep_lift.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        out = deep_lift.forward_with_maps(x)
    assert out["logits"].shape == (1, 80)
    assert out["lift_map"].shape == (1, 80, 2, 2)
    assert deep_lift.adjacency.shape == (80, 80) and deep_lift.label_embeddings.shape == (80, 300)
