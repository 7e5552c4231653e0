import collections

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.logging.history_buffer import HistoryBuffer

from mlrkit.engine.checkpoint import (
    CheckpointLoadError,
    allow_mmengine_checkpoints,
    load_checkpoint_file,
)


def test_mmengine_message_hub_state_loads_with_weights_only(tmp_path):
    allow_mmengine_checkpoints()
    hub = MessageHub.get_instance("mlrkit-ckpt-test")
    hub.update_scalar("train/loss", 0.5)
    hub.update_scalar("train/loss", np.float64(0.25))
    hub.update_info("iter", 3)
    path = tmp_path / "ckpt.pth"
    torch.save(
        {
            "state_dict": {"w": torch.ones(2)},
            "message_hub": hub.state_dict(),
            "meta": {"seed": np.int64(3), "count": collections.Counter(a=1)},
        },
        path,
    )
    loaded = torch.load(path, weights_only=True)  # what mmengine's resume does
    buf = loaded["message_hub"]["log_scalars"]["train/loss"]
    assert isinstance(buf, HistoryBuffer)
    assert buf.current() == pytest.approx(0.25) and buf.mean() == pytest.approx(0.375)


def test_arbitrary_code_is_still_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pth"
    torch.save({"x": Evil()}, path)
    with pytest.raises(CheckpointLoadError, match="cannot be loaded safely"):
        load_checkpoint_file(path)


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pth"):
        load_checkpoint_file(tmp_path / "missing.pth")


def test_scheduler_state_with_callables_loads_with_weights_only(tmp_path):
    from mmengine.optim import OneCycleLR, OptimWrapper

    allow_mmengine_checkpoints()
    opt = OptimWrapper(torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1))
    sched = OneCycleLR(opt, eta_max=0.1, total_steps=10)
    path = tmp_path / "sched.pth"
    torch.save({"param_schedulers": [sched.state_dict()]}, path)
    state = load_checkpoint_file(path)["param_schedulers"][0]
    assert "anneal_func" not in state and state["total_steps"] == 10
    fresh = OneCycleLR(opt, eta_max=0.1, total_steps=10)
    fresh.load_state_dict(state)
    assert fresh.anneal_func == sched.anneal_func  # kept from the rebuilt scheduler
