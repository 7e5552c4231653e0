"""mlrkit: multi-label image recognition research toolkit.

Components live in registries (:mod:`mlrkit.registry`) and are built from plain-Python
mmengine configs; plugins extend them through the ``mlrkit.plugins`` entry-point group.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlrkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
