"""Distributed set-up that works on GPUs (NCCL) and on CPU-only machines (gloo).

mmengine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally and its DDP wrapper
passes ``device_ids=[LOCAL_RANK]`` even for CPU modules; both fail on a CPU-only machine. So
mlrkit initialises the process group itself before the Runner is built (the Runner then sees
``is_distributed()`` and skips its own ``init_dist``), and wraps models with
:class:`DistributedModelWrapper`, which drops ``device_ids`` for CPU modules.
"""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta

import torch
import torch.distributed as dist
from mmengine.model import MMDistributedDataParallel

from mlrkit.registry import MODEL_WRAPPERS

__all__ = ["init_distributed", "DistributedModelWrapper", "default_backend"]

LAUNCHERS = ("none", "pytorch", "slurm")


def default_backend() -> str:
    return "nccl" if torch.cuda.is_available() else "gloo"


def _slurm_env(port: int | None = None) -> None:
    """Translate a Slurm job step's variables into torch.distributed's (as mmengine does)."""
    proc_id = int(os.environ["SLURM_PROCID"])
    ntasks = int(os.environ["SLURM_NTASKS"])
    local = os.environ.get("SLURM_LOCALID")
    gpus = max(torch.cuda.device_count(), 1)
    os.environ["RANK"] = str(proc_id)
    os.environ["WORLD_SIZE"] = str(ntasks)
    os.environ["LOCAL_RANK"] = local if local is not None else str(proc_id % gpus)
    if "MASTER_ADDR" not in os.environ:
        nodes = os.environ["SLURM_NODELIST"]
        os.environ["MASTER_ADDR"] = subprocess.getoutput(
            f"scontrol show hostname {nodes} | head -n1"
        ).strip()
    os.environ.setdefault("MASTER_PORT", str(port or 29500))


def init_distributed(launcher: str, backend: str | None = None, timeout_s: int = 1800) -> bool:
    """Initialise the default process group for ``launcher`` ("none" | "pytorch" | "slurm").

    Returns True when the run is distributed. Idempotent.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f"unknown launcher {launcher!r}; use one of {', '.join(LAUNCHERS)}")
    if launcher == "none":
        return False
    if dist.is_available() and dist.is_initialized():
        return True
    if launcher == "slurm":
        _slurm_env()
    missing = [
        k
        for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
        if k not in os.environ
    ]
    if missing:
        raise ValueError(
            f"--launcher {launcher} needs the environment variables {', '.join(missing)}; "
            "start the command with `torchrun --nproc_per_node=N mlrkit train ...` (pytorch) "
            "or `srun mlrkit train ... --launcher slurm` (slurm)"
        )
    backend = backend or default_backend()
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group(backend=backend, timeout=timedelta(seconds=timeout_s))
    return True


@MODEL_WRAPPERS.register_module()
class DistributedModelWrapper(MMDistributedDataParallel):
    """mmengine's DDP wrapper that also works for CPU modules (gloo).

    ``device_ids`` must be ``None`` for a module whose parameters live on the CPU; mmengine
    always passes ``[LOCAL_RANK]``. This wrapper drops it in that case and behaves exactly like
    ``MMDistributedDataParallel`` otherwise.
    """

    def __init__(self, module: torch.nn.Module, device_ids: list[int] | None = None, **kwargs):
        first = next(module.parameters(), None)
        if first is None or first.device.type == "cpu":
            device_ids = None
            kwargs.pop("output_device", None)
        super().__init__(module=module, device_ids=device_ids, **kwargs)
