"""mlrkit-csra: the CSRA head (class-specific residual attention) as an mlrkit plugin.

Installing this distribution is all it takes: its entry point in the ``mlrkit.plugins`` group
names this module, which mlrkit imports the first time a registry lookup misses (or when the
``mlrkit`` command starts); importing it registers :class:`CSRAHead` in ``HEADS``. Configs then
say ``head=dict(type="CSRAHead", num_heads=4, lam=0.5)``.
"""

from mlrkit_csra.csra_head import TEMPERATURES, CSRAHead

__all__ = ["CSRAHead", "TEMPERATURES"]
__version__ = "0.1.0"
