import subprocess
import sys
import warnings

import pytest

import mlrkit.plugins as plugins
from mlrkit.registry import HEADS, UnknownComponentError

GOOD = """
    import torch
    from mlrkit.registry import HEADS

    @HEADS.register_module()
    class TinyPluginHead(torch.nn.Module):
        def forward(self, features, label_features=None):
            return features.mean((2, 3))
"""

BROKEN = """
    raise RuntimeError("this plugin is broken on purpose")
"""


def run_cli(*args, pythonpath="", env_extra=None):
    import os

    env = dict(os.environ, PYTHONPATH=pythonpath)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "mlrkit.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_list_shows_a_plugin_head_and_its_distribution(plugin_path):
    root = plugin_path("tiny-plugin", "tiny_plugin_head", GOOD)
    out = run_cli("list", "heads", pythonpath=str(root))
    assert out.returncode == 0, out.stderr
    line = next(row for row in out.stdout.splitlines() if "TinyPluginHead" in row)
    assert "[tiny-plugin]" in line


def test_registry_miss_loads_plugins_in_process(plugin_path):
    plugin_path("tiny-plugin2", "tiny_plugin_head2", GOOD.replace("TinyPluginHead", "TinyHead2"))
    assert HEADS.get("TinyHead2").__name__ == "TinyHead2"
    record = next(r for r in plugins.loaded() if r.name == "tiny_plugin_head2")
    assert record.registered == {"heads": ["TinyHead2"]}
    assert plugins.origin_of("heads", "TinyHead2", None) == "tiny-plugin2"


def test_broken_plugin_only_warns(plugin_path):
    plugin_path("broken-plugin", "broken_plugin_mod", BROKEN)
    with pytest.warns(plugins.PluginWarning, match="broken_plugin_mod.*broken on purpose"):
        plugins.load_plugins()
    # the rest keeps working: a lookup still gives the normal miss error
    with pytest.raises(UnknownComponentError):
        HEADS.get("NothingByThisName")


def test_broken_plugin_cli_still_lists(plugin_path):
    root = plugin_path("broken-plugin3", "broken_plugin3", BROKEN)
    out = run_cli("list", "heads", pythonpath=str(root))
    assert out.returncode == 0
    assert "broken_plugin3" in out.stderr and "broken on purpose" in out.stderr
    assert "failed to load" in out.stdout


def test_autoload_can_be_disabled(plugin_path, monkeypatch):
    plugin_path("tiny-plugin4", "tiny_plugin4", GOOD.replace("TinyPluginHead", "TinyHead4"))
    monkeypatch.setenv(plugins.DISABLE_ENV, "1")
    assert plugins.load_plugins() == []
    with pytest.raises(UnknownComponentError):
        HEADS.get("TinyHead4")


def test_entry_point_may_name_a_register_function(plugin_path):
    source = GOOD.replace("@HEADS.register_module()", "").replace("TinyPluginHead", "TinyHead5")
    source += "\n    def register():\n        HEADS.register_module(module=TinyHead5)\n"
    plugin_path("tiny-plugin5", "tiny_plugin5", source, entry_value="tiny_plugin5:register")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plugins.load_plugins()
    assert HEADS.get("TinyHead5").__name__ == "TinyHead5"


def test_list_without_plugins_and_misspelt_kind():
    out = run_cli("list", env_extra={plugins.DISABLE_ENV: "1"})
    assert out.returncode == 0, out.stderr
    assert "heads" in out.stdout and "backbones" in out.stdout
    bad = run_cli("list", "hedas")
    assert bad.returncode == 1
    assert "Did you mean: heads" in bad.stderr


def test_version():
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("mlrkit ")


def test_components_a_plugin_imports_from_mlrkit_stay_mlrkits(plugin_path):
    # Importing mlrkit.heads (for a base class, say) registers mlrkit's own heads while the
    # plugin loads; simulate that with a class defined in an mlrkit module.
    source = (
        GOOD.replace("TinyPluginHead", "TinyHead6")
        + """
    Builtin = type("BuiltinLikeHead", (torch.nn.Module,), {"__module__": "mlrkit.heads.fake"})
    HEADS.register_module(module=Builtin)
"""
    )
    plugin_path("tiny-plugin6", "tiny_plugin6", source)
    try:
        plugins.load_plugins()
        record = next(r for r in plugins.loaded() if r.name == "tiny_plugin6")
        assert record.registered == {"heads": ["TinyHead6"]}
        assert plugins.origin_of("heads", "BuiltinLikeHead", HEADS.get("BuiltinLikeHead")) == (
            "mlrkit"
        )
    finally:
        HEADS._module_dict.pop("BuiltinLikeHead", None)
        HEADS._module_dict.pop("TinyHead6", None)
