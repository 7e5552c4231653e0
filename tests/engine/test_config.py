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
