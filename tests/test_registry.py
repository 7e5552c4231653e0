import os
import subprocess
import sys

import pytest
import torch
from mmengine import registry as mm

from mlrkit.registry import (
    ALL_REGISTRIES,
    BACKBONES,
    HEADS,
    SCOPE,
    SCOPE_ONLY_REGISTRIES,
    MLRRegistry,
    UnknownComponentError,
)


def test_every_registry_has_the_mlrkit_scope():
    for kind, reg in {**ALL_REGISTRIES, **SCOPE_ONLY_REGISTRIES}.items():
        assert isinstance(reg, MLRRegistry), kind
        assert reg.scope == SCOPE, kind


def test_listed_registries_hold_something_and_scope_only_ones_nothing():
    """`mlrkit list` and `__all__` name only the registries mlrkit registers into."""
    import mlrkit.registry as registry
    from mlrkit.registry_index import declared_names

    for kind in ALL_REGISTRIES:
        assert declared_names(kind), f"{kind} is listed but mlrkit registers nothing in it"
    for kind, reg in SCOPE_ONLY_REGISTRIES.items():
        reg.import_from_location()
        assert not reg._module_dict, f"{kind} holds {sorted(reg._module_dict)}: list it"
        assert not any(getattr(registry, name) is reg for name in registry.__all__), kind
    assert set(ALL_REGISTRIES).isdisjoint(SCOPE_ONLY_REGISTRIES)


def test_every_mmengine_root_registry_has_an_mlrkit_child():
    roots = [getattr(mm, n) for n in dir(mm) if isinstance(getattr(mm, n), mm.Registry)]
    assert len(roots) >= 20
    for root in roots:
        assert SCOPE in root._children, f"mmengine's {root.name} registry has no mlrkit child"


def test_runner_side_lookup_falls_back_to_mmengine():
    # SGD is mmengine's (from torch.optim); our (empty) child finds it through the parent.
    optimizers = SCOPE_ONLY_REGISTRIES["optimizers"]
    assert optimizers is mm.OPTIMIZERS._children[SCOPE]
    assert optimizers.get("SGD") is torch.optim.SGD


def test_scope_only_miss_points_to_mmengine(monkeypatch):
    monkeypatch.setattr("mlrkit.plugins._custom_imported", ["my_module"])
    with pytest.raises(UnknownComponentError) as info:
        SCOPE_ONLY_REGISTRIES["optimizers"].get("SDG")
    message = str(info.value)
    assert "Did you mean:" in message and "SGD" in message and "mlrkit list" not in message
    assert "@OPTIMIZERS.register_module() (from mmengine.registry)" in message


def test_duplicate_name_is_an_error():
    reg = MLRRegistry("scratch", scope=SCOPE)

    @reg.register_module()
    class Foo:
        pass

    with pytest.raises(KeyError, match="Foo"):
        reg.register_module(module=type("Foo", (), {}))


def test_miss_names_registry_close_matches_and_plugins(monkeypatch):
    # as in a process whose config has no custom_imports (earlier tests in this one may have)
    monkeypatch.setattr("mlrkit.plugins._custom_imported", [])
    reg = MLRRegistry("head", scope=SCOPE)

    @reg.register_module()
    class DeepLIFTHead:
        pass

    with pytest.raises(UnknownComponentError) as info:
        reg.get("DeepLiftHead")
    message = str(info.value)
    assert "'head' registry" in message
    assert "DeepLIFTHead" in message
    assert "mlrkit.plugins" in message and "custom_imports" in message
    assert isinstance(info.value, KeyError)


def test_build_of_unknown_type_raises_through_mmengine():
    reg = MLRRegistry("encoder", scope=SCOPE)
    with pytest.raises(UnknownComponentError, match="NoSuchEncoder"):
        reg.build(dict(type="NoSuchEncoder"))


def test_registries_import_their_locations_lazily():
    # The part registries know where their modules live.
    assert BACKBONES._locations == ["mlrkit.backbones"]
    assert HEADS._locations == ["mlrkit.heads"]


def test_source_index_names_what_importing_registers():
    """`mlrkit list` reads names from the source; it must list exactly what imports register."""
    from mlrkit.registry import ALL_REGISTRIES
    from mlrkit.registry_index import declared_names

    for kind, registry in ALL_REGISTRIES.items():
        registry.import_from_location()
        imported = {
            name
            for name, obj in registry._module_dict.items()
            if getattr(obj, "__module__", "").split(".")[0] == "mlrkit"
        }
        assert set(declared_names(kind)) == imported, kind


def test_list_imports_no_model_library():
    """`mlrkit list` prints every name without importing torch, torch-geometric, timm or
    torchvision (without plugins: an installed plugin may import what it needs)."""
    code = (
        "import sys; from mlrkit.cli import main; main(['list']); heavy = ('torch', 'timm', "
        "'torch_geometric', 'torchvision', 'mmengine.runner'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "MLRKIT_DISABLE_PLUGIN_AUTOLOAD": "1"},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "DeepLIFTHead" in out.stdout and "AttentionGCNEncoder" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"
