import pytest

from mlrkit.engine.config import apply_overrides, load_config


@pytest.fixture
def cfg_file(tmp_path):
    path = tmp_path / "exp.py"
    path.write_text(
        "model = dict(type='M', backbone=dict(type='B', depth=18), heads=[dict(k=1), dict(k=2)])\n"
        "train_cfg = dict(max_epochs=3)\n"
    )
    return path


def test_load_and_override(cfg_file):
    cfg = load_config(cfg_file, {"train_cfg.max_epochs": 5, "model.heads.1.k": 7}, strict=True)
    assert cfg.train_cfg.max_epochs == 5
    assert cfg.model.heads[1]["k"] == 7


def test_strict_override_of_unknown_key_names_it_and_suggests(cfg_file):
    cfg = load_config(cfg_file)
    with pytest.raises(KeyError) as info:
        apply_overrides(cfg, {"model.backbone.dpth": 50}, strict=True)
    message = str(info.value)
    assert "'dpth'" in message and "model.backbone" in message
    assert "model.backbone.depth" in message  # close match


def test_non_strict_override_may_add_keys(cfg_file):
    cfg = load_config(cfg_file, {"model.backbone.drop_path_rate": 0.1})
    assert cfg.model.backbone.drop_path_rate == 0.1


def test_missing_config_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.py"):
        load_config(tmp_path / "nope.py")


# -- custom_imports and configs outside the repository (issue 13, item 2) ------------------------

HEAD_MODULE = """
from torch import nn

from mlrkit.heads.base import MultiLabelHead
from mlrkit.registry import HEADS


@HEADS.register_module()
class {name}(MultiLabelHead):
    def __init__(self, num_classes, in_channels):
        super().__init__(num_classes, in_channels)
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, features, label_features=None):
        return self.fc(features.mean((2, 3)))
"""


@pytest.mark.parametrize("style", ["dict", "read_base"])
def test_custom_imports_from_the_config_folder_in_every_style(tmp_path, style):
    from mlrkit.registry import HEADS

    name = f"BesideHead{style.title().replace('_', '')}"
    module = f"beside_{style}"
    (tmp_path / f"{module}.py").write_text(HEAD_MODULE.format(name=name))
    if style == "dict":
        text = (
            f"custom_imports = dict(imports=[{module!r}])\nmodel = dict(head=dict(type={name!r}))\n"
        )
    else:  # a pure-Python config reaching the repository's pieces through mlrkit.configs
        text = (
            "from mmengine.config import read_base\n\n"
            "with read_base():\n"
            "    from mlrkit.configs._base_.models.pooled_r101 import *\n\n"
            f"custom_imports = dict(imports=[{module!r}])\n"
            f"model.head = dict(type={name!r})\n"
        )
    (tmp_path / "cfg.py").write_text(text)
    assert name not in HEADS.module_dict  # nothing imported it yet
    cfg = load_config(tmp_path / "cfg.py")
    assert HEADS.get(name).__name__ == name and cfg.model.head.type == name


def test_a_custom_import_that_fails_names_the_config_and_the_folder(tmp_path):
    (tmp_path / "cfg.py").write_text("custom_imports = dict(imports=['no_such_module_here'])\n")
    with pytest.raises(ImportError) as info:
        load_config(tmp_path / "cfg.py")
    message = str(info.value)
    assert f"config {tmp_path / 'cfg.py'}" in message and "'no_such_module_here'" in message
    assert f"no_such_module_here.py in {tmp_path}" in message and "\n" not in message
    (tmp_path / "ok.py").write_text(
        "custom_imports = dict(imports=['no_such_module_here'], allow_failed_imports=True)\n"
    )
    load_config(tmp_path / "ok.py")


def test_a_miss_after_custom_imports_does_not_advise_adding_them(tmp_path):
    from mlrkit.registry import HEADS

    (tmp_path / "defines_nothing.py").write_text("X = 1\n")
    (tmp_path / "cfg.py").write_text("custom_imports = dict(imports=['defines_nothing'])\n")
    load_config(tmp_path / "cfg.py")
    with pytest.raises(KeyError) as info:
        HEADS.build(dict(type="MeanMaxHeadTypo", num_classes=2, in_channels=3))
    message = str(info.value)
    assert "custom_imports imported" in message and "defines_nothing" in message
    assert "@HEADS.register_module()" in message
    assert "add `custom_imports" not in message
