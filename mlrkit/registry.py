"""Every registry of mlrkit, and nothing else.

The registries that mmengine's Runner resolves (models, datasets, transforms, metrics, hooks,
optimizer and model wrappers) are children of mmengine's root registries with scope ``mlrkit``,
so a config with ``default_scope = "mlrkit"`` finds our components first and mmengine's next.
mmengine's other roots (optimizers, schedulers, loops, ...) get an mlrkit child that holds
nothing (:data:`SCOPE_ONLY_REGISTRIES`, neither exported nor listed). The classifier's parts
(backbones, label encoders, heads, losses, label-embedding sources) have registries of their own.

A lookup that misses loads the installed plugins once (entry-point group ``mlrkit.plugins``)
and tries again; a second miss raises :class:`UnknownComponentError`, which names the registry,
the close matches and how to make a plugin's components known.

Example:
    >>> from mlrkit.registry import HEADS
    >>> @HEADS.register_module()
    ... class MyHead(torch.nn.Module): ...
"""

from __future__ import annotations

import difflib
import importlib
import sys

from mmengine import registry as mm
from mmengine.registry import Registry

__all__ = [
    "SCOPE",
    "UnknownComponentError",
    "MLRRegistry",
    "ALL_REGISTRIES",
    "MODELS",
    "DATASETS",
    "TRANSFORMS",
    "METRICS",
    "HOOKS",
    "OPTIM_WRAPPERS",
    "MODEL_WRAPPERS",
    "BACKBONES",
    "ENCODERS",
    "HEADS",
    "LOSSES",
    "EMBEDDINGS",
]

SCOPE = "mlrkit"


class UnknownComponentError(KeyError):
    """A registry lookup found no component of that name (a ``KeyError``, as mmengine raises)."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class MLRRegistry(Registry):
    """An mmengine :class:`~mmengine.registry.Registry` whose misses load plugins and explain.

    Behaves exactly like mmengine's registry (scopes, parents, lazy ``locations``), except that
    ``get`` of an unknown name first imports the installed ``mlrkit.plugins`` entry points (once
    per process) and, if the name is still unknown, raises :class:`UnknownComponentError`
    instead of returning ``None``.
    """

    def get(self, key: str):
        obj = super().get(key)
        if obj is not None:
            return obj
        if self.parent is not None and "mmengine.runner" not in sys.modules:
            # mmengine fills its root registries as its modules are imported; the Runner
            # imports them all, so a lookup outside a Runner must do the same before missing.
            importlib.import_module("mmengine.runner")
            obj = super().get(key)
            if obj is not None:
                return obj
        scope, _ = self.split_scope_key(key)
        if scope not in (None, self.scope):
            return None  # another package's scope: let mmengine decide
        from mlrkit.plugins import load_plugins

        if load_plugins():  # something new was imported: try once more
            obj = super().get(key)
            if obj is not None:
                return obj
        raise UnknownComponentError(self._miss_message(key))

    def names(self, include_parents: bool = False) -> list[str]:
        """Names this registry holds (after importing its lazy locations), sorted."""
        self.import_from_location()
        names = set(self._module_dict)
        parent = self.parent
        while include_parents and parent is not None:
            names |= set(parent._module_dict)
            parent = parent.parent
        return sorted(names)

    def _miss_message(self, key: str) -> str:
        _, real_key = self.split_scope_key(key)
        known = self.names(include_parents=True)
        close = difflib.get_close_matches(real_key, known, n=5, cutoff=0.6)
        if not close:
            lowered = {k.lower(): k for k in known}
            close = [lowered[k] for k in difflib.get_close_matches(real_key.lower(), lowered, n=5)]
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        from mlrkit.plugins import custom_imported

        imported = custom_imported()
        scope_only = any(self is r for r in SCOPE_ONLY_REGISTRIES.values())
        if scope_only:  # nothing of mlrkit's: a component goes into mmengine's registry
            registry = self.parent
            variable = next(n for n, v in vars(mm).items() if v is registry and n.isupper())
            module = "mmengine.registry"
            listing = f"mlrkit registers nothing in '{self.name}'; its names are mmengine's."
        else:
            variable = next(
                (n for n, v in globals().items() if v is self and n.isupper()), self.name.upper()
            )
            module = "mlrkit.registry"
            listing = f"`mlrkit list {self.name}` prints every known name."
        if imported:  # the config has custom_imports: advising to add it would be wrong
            where = (
                f"The config's custom_imports imported {', '.join(imported)}, and none of them "
                f"registered {real_key!r} in '{self.name}': check the name, and that the class "
                f"is decorated with @{variable}.register_module() (from {module})."
            )
        else:
            where = (
                "A component defined outside mlrkit must be imported first: install its "
                "distribution with an entry point in the 'mlrkit.plugins' group, or add "
                "`custom_imports = dict(imports=['your_module'])` to the config (a module "
                "beside the config is found)."
            )
        return f"{real_key!r} is not in the mlrkit '{self.name}' registry.{hint} {listing} {where}"


def _child(parent: Registry, name: str, *locations: str) -> MLRRegistry:
    return MLRRegistry(name, parent=parent, scope=SCOPE, locations=list(locations))


def _own(name: str, *locations: str) -> MLRRegistry:
    return MLRRegistry(name, scope=SCOPE, locations=list(locations))


# Children of mmengine's root registries: the Runner resolves these under default_scope="mlrkit".
MODELS = _child(mm.MODELS, "model", "mlrkit.models")
DATASETS = _child(mm.DATASETS, "dataset", "mlrkit.datasets")
TRANSFORMS = _child(mm.TRANSFORMS, "transform", "mlrkit.transforms")
METRICS = _child(mm.METRICS, "metric", "mlrkit.metrics")
HOOKS = _child(mm.HOOKS, "hook", "mlrkit.engine", "mlrkit.bench.progress_hook")
OPTIM_WRAPPERS = _child(mm.OPTIM_WRAPPERS, "optim_wrapper", "mlrkit.engine")
MODEL_WRAPPERS = _child(mm.MODEL_WRAPPERS, "model_wrapper", "mlrkit.engine")

# mmengine's other root registries get an mlrkit child too, into which mlrkit registers
# nothing: under default_scope="mlrkit" the Runner then finds a registry of that scope in every
# tree (and mmengine's SGD, LinearLR, ... through it) instead of warning, and a misspelt name
# there gets the close matches. Holding nothing of mlrkit's, they are neither exported nor
# listed by `mlrkit list`; a config names their entries as mmengine does.
SCOPE_ONLY_REGISTRIES: dict[str, MLRRegistry] = {
    "data_samplers": _child(mm.DATA_SAMPLERS, "data sampler", "mlrkit.datasets"),
    "evaluators": _child(mm.EVALUATOR, "evaluator", "mlrkit.metrics"),
    "loops": _child(mm.LOOPS, "loop", "mlrkit.engine"),
    "log_processors": _child(mm.LOG_PROCESSORS, "log_processor", "mlrkit.engine"),
    "optimizers": _child(mm.OPTIMIZERS, "optimizer", "mlrkit.engine"),
    "optim_wrapper_constructors": _child(
        mm.OPTIM_WRAPPER_CONSTRUCTORS, "optimizer wrapper constructor", "mlrkit.engine"
    ),
    "param_schedulers": _child(mm.PARAM_SCHEDULERS, "parameter scheduler", "mlrkit.engine"),
    "runners": _child(mm.RUNNERS, "runner", "mlrkit.engine"),
    "runner_constructors": _child(mm.RUNNER_CONSTRUCTORS, "runner constructor", "mlrkit.engine"),
    "weight_initializers": _child(mm.WEIGHT_INITIALIZERS, "weight initializer", "mlrkit.models"),
    "visualizers": _child(mm.VISUALIZERS, "visualizer", "mlrkit.engine"),
    "vis_backends": _child(mm.VISBACKENDS, "vis_backend", "mlrkit.engine"),
    "strategies": _child(mm.STRATEGIES, "strategy", "mlrkit.engine"),
    "task_utils": _child(mm.TASK_UTILS, "task util", "mlrkit.engine"),
    "functions": _child(mm.FUNCTIONS, "function", "mlrkit.engine"),
    "inferencers": _child(mm.INFERENCERS, "inferencer", "mlrkit.engine"),
}

# The classifier's parts: registries of their own, same scope.
BACKBONES = _own("backbone", "mlrkit.backbones")
ENCODERS = _own("encoder", "mlrkit.encoders")
HEADS = _own("head", "mlrkit.heads")
LOSSES = _own("loss", "mlrkit.losses")
EMBEDDINGS = _own("embedding", "mlrkit.embeddings")

# Name users type in `mlrkit list KIND` -> registry. Plural, lower case. Only the registries
# mlrkit (or a plugin) registers into; SCOPE_ONLY_REGISTRIES are not listed.
ALL_REGISTRIES: dict[str, MLRRegistry] = {
    "backbones": BACKBONES,
    "encoders": ENCODERS,
    "heads": HEADS,
    "losses": LOSSES,
    "embeddings": EMBEDDINGS,
    "models": MODELS,
    "datasets": DATASETS,
    "transforms": TRANSFORMS,
    "metrics": METRICS,
    "hooks": HOOKS,
    "optim_wrappers": OPTIM_WRAPPERS,
    "model_wrappers": MODEL_WRAPPERS,
}
