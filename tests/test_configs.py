"""Every shipped config loads, and the small ones build their model and data."""

from pathlib import Path

import pytest

from mlrkit.engine.config import load_config

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
EXPERIMENTS = sorted(p for p in CONFIGS.glob("*/*.py") if p.parent.name != "_base_")


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_config_loads_with_the_parts_a_run_needs(path):
    cfg = load_config(path)
    if "bench" in cfg:  # bench configs are checked by tests/bench
        return
    for key in ("model", "train_dataloader", "val_dataloader", "optim_wrapper", "train_cfg"):
        assert key in cfg, f"{path.name} has no {key}"
    assert cfg.default_scope == "mlrkit"
    assert cfg.default_hooks.checkpoint.save_best == "multilabel/mAP"


FULL_SCALE = sorted((CONFIGS / "coco").glob("*.py")) + sorted((CONFIGS / "voc2007").glob("*.py"))


def _modern(path: Path) -> bool:
    return "schedules.modern_full import" in path.read_text()


@pytest.mark.parametrize(
    "path", [p for p in FULL_SCALE if not _modern(p)], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_full_scale_configs_follow_the_paper(path):
    cfg = load_config(path)
    assert cfg.model.backbone.model_name == "resnet101"
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.train_dataloader.dataset.pipeline[0].size == 448
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys["backbone"].lr_mult == 0.1
    assert cfg.optim_wrapper.optimizer.momentum == 0.9
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    if path.name.startswith("mlgcn"):  # ML-GCN's own recipe
        assert cfg.optim_wrapper.optimizer.lr == 0.1
        assert cfg.param_scheduler[0].milestones == [30] and cfg.train_cfg.max_epochs == 20
    else:  # the Deep-LIFT paper's
        assert cfg.optim_wrapper.optimizer.lr == 0.01
        assert cfg.param_scheduler[0].step_size == 30
    if path.name.startswith("deeplift"):
        assert cfg.model.head.projection is True
    if path.parent.name == "voc2007":  # the papers' code trains difficult labels as positives
        assert cfg.model.train_difficult == "positive"
    assert "resnet101.tv_in1k" in path.read_text()


@pytest.mark.parametrize(
    "path", [p for p in FULL_SCALE if _modern(p)], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_modern_full_scale_configs_use_the_modern_recipe_at_448(path):
    cfg = load_config(path)
    assert cfg.model.backbone.model_name == "resnet101"
    assert cfg.model.backbone.pretrained_file == "checkpoints/resnet101.pth"
    assert cfg.train_dataloader.dataset.pipeline[0].size == 448
    assert cfg.recipe.name == "modern"
    assert cfg.optim_wrapper.optimizer.type.__name__ == "AdamW"
    assert cfg.optim_wrapper.optimizer.lr == 1e-4


@pytest.mark.parametrize("path", sorted((CONFIGS / "synthetic").glob("*.py")), ids=lambda p: p.name)
def test_cpu_configs_build(path, tmp_path):
    import torch

    from mlrkit.engine.experiment import prepare_config
    from mlrkit.models.build import build_model

    cfg = prepare_config(
        load_config(
            path,
            {
                "train_dataloader.dataset.num_samples": 64,
                "val_dataloader.dataset.num_samples": 16,
                "test_dataloader.dataset.num_samples": 16,
            },
        ),
        work_dir=str(tmp_path),
    )
    model = build_model(cfg.model)
    logits = model(torch.zeros(2, 3, 48, 48, dtype=torch.uint8).float(), mode="tensor")
    assert logits.shape == (2, 20)


DATASET_CONFIGS = sorted(
    p for p in (CONFIGS / "_base_" / "datasets").glob("*.py") if not p.name.startswith("_")
)


@pytest.mark.parametrize("path", DATASET_CONFIGS, ids=lambda p: p.name)
def test_dataset_configs_name_registered_datasets_and_distinct_splits(path):
    from mlrkit.registry import DATASETS

    cfg = load_config(path)
    train, val = cfg.train_dataloader, cfg.val_dataloader
    for loader in (train, val, cfg.test_dataloader):
        kind = loader.dataset.type
        name = kind if isinstance(kind, str) else kind.__name__
        assert DATASETS.get(name) is not None
    assert train.sampler["shuffle"] and not val.sampler["shuffle"]
    assert (
        train.dataset.get("split") != val.dataset.get("split")
        or train.dataset.get("ann_file") != val.dataset.get("ann_file")
        # a hold-out of the same file (COCO 2017: val is 5,000 images of train2017)
        or train.dataset.get("hold_out_part") != val.dataset.get("hold_out_part")
    )
    assert "MultiLabelMetric" in str(cfg.val_evaluator["type"])
