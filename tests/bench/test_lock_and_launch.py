"""The work-dir lock, worker commands and environments, and Slurm script generation/submission."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from mlrkit.bench.execute import BenchOptions, run_bench
from mlrkit.bench.launch import (
    ForkedWorker,
    LaunchOptions,
    SlurmOptions,
    slurm_script,
    start_local_worker,
    submit_slurm,
    worker_command,
    worker_env,
)
from mlrkit.bench.layout import BenchLock, BenchLockedError
from mlrkit.bench.spec import load_bench

from .conftest import mlrkit_bench

HOLD = textwrap.dedent(
    """\
    import sys, time
    from mlrkit.bench.layout import BenchLock
    lock = BenchLock(sys.argv[1]).acquire()
    print("held", flush=True)
    time.sleep(120)
    """
)


def hold_lock(work_dir) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(work_dir)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()


def test_lock_refuses_a_second_bench_and_dies_with_its_holder(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        with pytest.raises(BenchLockedError, match=rf"another bench is running.*pid {holder.pid}"):
            BenchLock(tmp_path).acquire()
    finally:
        kill(holder)
    with BenchLock(tmp_path) as lock:  # the kernel dropped the dead holder's lock
        assert lock.held
        with pytest.raises(BenchLockedError):  # also within one process
            BenchLock(tmp_path).acquire()
    assert not lock.held
    BenchLock(tmp_path).acquire().release()


def test_cli_refuses_a_second_bench_on_the_same_work_dir(tiny_bench, tmp_path):
    path = tiny_bench([("avg", {})])
    work = tmp_path / "work"
    holder = hold_lock(work)
    try:
        out = mlrkit_bench(str(path), "--work-dir", str(work))
    finally:
        kill(holder)
    assert out.returncode == 1
    assert (
        f"mlrkit bench: error: another bench is running in {work} (pid {holder.pid}" in out.stderr
    )
    assert not (work / "runs").exists() and not (work / "results").exists()


def test_worker_commands_and_thread_shares(tmp_path):
    spec = tmp_path / "spec.json"
    local = worker_command(spec, LaunchOptions())
    assert local == [sys.executable, "-m", "mlrkit.bench.worker", str(spec)]
    ddp = worker_command(spec, LaunchOptions("pytorch", nproc_per_node=4), port=29555)
    assert ddp[1:3] == ["-m", "torch.distributed.run"]
    assert "--nproc-per-node=4" in ddp and "--master-port=29555" in ddp
    assert ddp[-4:] == ["mlrkit.bench.worker", str(spec), "--launcher", "pytorch"]
    env = worker_env(LaunchOptions(threads=3), gpus=[2, 3])
    assert env["OMP_NUM_THREADS"] == "3" and env["MKL_NUM_THREADS"] == "3"
    assert env["CUDA_VISIBLE_DEVICES"] == "2,3"
    assert env["MLRKIT_BENCH_PARENT"].startswith(f"{os.getpid()}:")
    with pytest.raises(ValueError, match="--nproc-per-node needs --launcher pytorch"):
        LaunchOptions("none", nproc_per_node=2)
    with pytest.raises(ValueError, match="--launcher 'mpi' is unknown"):
        LaunchOptions("mpi")
    with pytest.raises(ValueError, match="--format pdf"):
        BenchOptions(tmp_path, formats=["md", "pdf"])


def test_a_forked_worker_writes_to_its_log_and_exits_with_the_worker_code(tmp_path, monkeypatch):
    """A local worker forked from the worker server gets the bench's current folder and its run
    environment (not the server's), appends to the run's log and exits with the worker's code."""
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "worker.log"
    log.write_text("==== attempt 1\n")
    proc = start_local_worker(tmp_path / "nowhere" / "spec.json", log, LaunchOptions(threads=2))
    if "forkserver" in multiprocessing.get_all_start_methods():
        assert isinstance(proc, ForkedWorker)
    assert proc.wait(timeout=120) == 2 and proc.poll() == 2
    text = log.read_text()
    assert text.startswith("==== attempt 1\n")  # appended, not overwritten
    assert "nowhere/spec.json does not exist" in text


def test_slurm_script(tmp_path):
    options = LaunchOptions(
        "slurm",
        nproc_per_node=4,
        slurm=SlurmOptions(
            partition="gpu",
            time="48:00:00",
            gpus_per_task=1,
            cpus_per_task=6,
            extra=["--account=vision", "qos=high"],
        ),
    )
    spec = tmp_path / "runs" / "AGCN__seed0" / "spec.json"
    text = slurm_script(spec, "mlrkit-t3-AGCN__seed0", tmp_path / "slurm-%j.log", options, tmp_path)
    assert text == (
        "#!/bin/bash\n"
        "#SBATCH --job-name=mlrkit-t3-AGCN__seed0\n"
        f"#SBATCH --output={tmp_path}/slurm-%j.log\n"
        "#SBATCH --nodes=1\n"
        "#SBATCH --ntasks-per-node=4\n"
        "#SBATCH --cpus-per-task=6\n"
        "#SBATCH --gres=gpu:4\n"
        "#SBATCH --partition=gpu\n"
        "#SBATCH --time=48:00:00\n"
        "#SBATCH --account=vision\n"
        "#SBATCH --qos=high\n"
        "\n"
        "set -euo pipefail\n"
        "export OMP_NUM_THREADS=6\n"
        "export PYTHONUNBUFFERED=1\n"
        "export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))\n"
        f"cd {tmp_path}\n"
        f"srun {sys.executable} -m mlrkit.bench.worker {spec} --launcher slurm\n"
    )
    cpu = slurm_script(
        spec,
        "j",
        tmp_path / "l",
        LaunchOptions("slurm", slurm=SlurmOptions(gpus_per_task=0)),
        tmp_path,
    )
    assert "--gres" not in cpu and "--partition" not in cpu and "--ntasks-per-node=1" in cpu
    syntax = subprocess.run(["bash", "-n"], input=text, text=True, capture_output=True)
    assert syntax.returncode == 0, syntax.stderr


def fake_slurm(bin_dir, queue_state: str = "") -> None:
    """``sbatch`` that records its script and answers a job id; ``squeue`` that answers state."""
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "sbatch").write_text(
        "#!/bin/bash\n"
        f'echo "$2" >> {bin_dir}/submitted\n'
        f"n=$(wc -l < {bin_dir}/submitted)\n"
        'echo "$((1000 + n));cluster"\n'
    )
    (bin_dir / "squeue").write_text(f"#!/bin/bash\necho -n '{queue_state}'\n")
    for tool in ("sbatch", "squeue"):
        (bin_dir / tool).chmod(0o755)


def test_slurm_submission_through_the_bench(tiny_bench, tmp_path, monkeypatch, capsys):
    path = tiny_bench([("avg", {}), ("max", {"model.head.pool": "max"})])
    plan = load_bench(path)
    work = tmp_path / "work"
    bins = tmp_path / "bin"
    fake_slurm(bins, queue_state="RUNNING")
    monkeypatch.setenv("PATH", f"{bins}{os.pathsep}{os.environ['PATH']}")
    options = BenchOptions(work, launch=LaunchOptions("slurm", slurm=SlurmOptions(gpus_per_task=0)))
    assert run_bench(plan, options) == 0
    submitted = (bins / "submitted").read_text().split()
    assert submitted == [str(work / "runs" / r / "slurm.sh") for r in ("avg__seed0", "max__seed0")]
    job = json.loads((work / "runs" / "max__seed0" / "slurm_job.json").read_text())
    assert job["job_id"] == "1002" and job["fingerprint"] == plan.runs[1].fingerprint
    spec = json.loads((work / "runs" / "max__seed0" / "spec.json").read_text())
    assert spec["overrides"]["model.head.pool"] == "max" and spec["attempt"] == job["attempt"]
    out = capsys.readouterr().out
    assert "2 run(s) submitted, 0 still queued" in out and "| avg " in out and "pending" in out
    # again while both jobs are queued: nothing is submitted twice
    assert run_bench(plan, options) == 0
    assert len((bins / "submitted").read_text().split()) == 2
    assert "0 run(s) submitted, 2 still queued or running" in capsys.readouterr().out
    # the jobs left the queue without a result (e.g. cancelled): they are submitted again
    fake_slurm(bins, queue_state="")
    (bins / "submitted").write_text("x\ny\n")
    assert run_bench(plan, options) == 0
    assert len((bins / "submitted").read_text().split()) == 4


def test_submit_without_sbatch_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="needs `sbatch` on the PATH"):
        submit_slurm(tmp_path / "x.sh")
