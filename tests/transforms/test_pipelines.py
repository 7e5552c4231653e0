"""The standard pipeline configs build from the registry and produce S x S uint8 images."""

from __future__ import annotations

import torch

from mlrkit.datasets.base import build_pipeline
from mlrkit.transforms.multi_scale_crop import MLGCN_SCALES, MultiScaleCrop
from mlrkit.transforms.pipelines import eval_pipeline, mlgcn_train_pipeline
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize


def run(pipeline, image):
    for transform in pipeline:
        image = transform(image)
    return image


def test_train_pipeline_is_mlgcn_augmentation():
    pipeline = build_pipeline(mlgcn_train_pipeline(32))
    assert [type(t) for t in pipeline] == [MultiScaleCrop, RandomHorizontalFlip]
    crop = pipeline[0]
    assert crop.size == (32, 32) and crop.scales == MLGCN_SCALES and crop.max_distort == 2
    image = torch.randint(0, 256, (3, 50, 70), dtype=torch.uint8)
    out = run(pipeline, image)
    assert out.shape == (3, 32, 32) and out.dtype == torch.uint8


def test_eval_pipeline_is_a_warp():
    pipeline = build_pipeline(eval_pipeline(24))
    assert [type(t) for t in pipeline] == [Resize]
    image = torch.randint(0, 256, (3, 50, 70), dtype=torch.uint8)
    assert torch.equal(run(pipeline, image), Resize(24)(image))


def test_configs_are_plain_data():
    for config in mlgcn_train_pipeline(448) + eval_pipeline(448):
        assert isinstance(config["type"], str)
