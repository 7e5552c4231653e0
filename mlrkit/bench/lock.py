"""One bench per work dir at a time: :class:`~mlrkit.bench.layout.BenchLock`."""

from mlrkit.bench.layout import BenchLock, BenchLockedError

__all__ = ["BenchLock", "BenchLockedError"]
