"""benchmarks/gpu_check.py: its CPU path (tiny sizes) runs every check end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # a torchrun launch and two ResNet builds: about 40 s on 2 cores
def test_gpu_check_cpu_path_passes_every_check(tmp_path):
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gpu_check.py"), "--cpu"],
        cwd=tmp_path,
        env=dict(
            os.environ,
            PYTHONPATH=str(REPO),
            OMP_NUM_THREADS="1",
            MLRKIT_DISABLE_PLUGIN_AUTOLOAD="1",
        ),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    lines = out.stdout.splitlines()
    for check in ("train Deep-LIFT (AGCN)", "train ML-GCN", "data:", "torchrun:", "resume:"):
        assert any(line.startswith("[ok] " + check) for line in lines), out.stdout
    assert "all checks passed" in lines[-1]
