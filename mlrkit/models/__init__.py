"""mlrkit.models. Importing the package imports every module in it, so that their components
register (the registries import this package lazily on first use)."""

from mlrkit._autoimport import import_submodules

import_submodules(__name__, __path__)

from .build import build_model  # noqa: E402

__all__ = ["build_model"]
