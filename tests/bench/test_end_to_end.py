"""Real benches, each run a real worker process: failures, re-runs, SIGKILL, torchrun.

Sizes are tiny (a cut ResNet-18 at 32 px on 96-256 images), so a run takes seconds.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import CONFIGS, REPO, bench_env, mlrkit_bench


def results_of(work: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((work / "results").iterdir())}


def attempts(work: Path, run: str) -> int:
    return (work / "runs" / run / "worker.log").read_text().count("==== attempt ")


@pytest.mark.slow  # three bench runs in subprocesses: about 40 s on 2 cores
def test_a_failing_variant_is_recorded_and_the_others_finish(tiny_bench, tmp_path):
    path = tiny_bench(
        [
            ("avg", {}),
            ("broken", {"model.head.pool": "bogus"}),
            ("max", {"model.head.pool": "max"}),
        ],
        table_rows=[("avg", "Original-GCN"), ("broken", None), ("max", None)],
    )
    work = tmp_path / "work"
    out = mlrkit_bench(str(path), "--work-dir", str(work), "--jobs", "2")
    assert out.returncode == 1, out.stderr[-3000:]  # a run failed
    results = results_of(work)
    assert sorted(results) == ["avg__seed0", "broken__seed0", "max__seed0"]
    broken = results["broken__seed0"]
    assert broken["status"] == "failed"
    assert "pool must be one of" in broken["error"] and "'bogus'" in broken["error"]
    assert broken["log_tail"] and broken["traceback"]
    for name in ("avg__seed0", "max__seed0"):
        ok = results[name]
        assert ok["status"] == "ok"
        assert set(ok["metrics"]) >= {"mAP", "CF1", "OF1@3", "CP@3"}
        assert 0.0 < ok["metrics"]["mAP"] <= 100.0
        assert ok["per_class_ap"] and ok["parameters"]["total"] > ok["parameters"]["head"] > 0
        assert ok["versions"]["torch"] and "git_commit" in ok and ok["wall_time_s"]["train"] > 0
        assert ok["config"]["train_dataloader"]["dataset"]["num_samples"] == 96
        assert ok["seed"] == 0 and ok["config"]["randomness"]["seed"] == 0
        assert (work / "runs" / name / "work").is_dir()
    assert results["max__seed0"]["config"]["model"]["head"]["pool"] == "max"
    # protocol held_out: selected on the val split, then a test pass of the checkpoint on the
    # test split, whose figures a separate `test` of the checkpoint gives exactly
    avg_run = results["avg__seed0"]
    assert avg_run["evaluated_by"] == "test pass"
    assert avg_run["protocol"] == "held_out" and avg_run["selection"]["split"] == "val"
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import test

    cfg = load_config(avg_run["base"], avg_run["overrides"], strict=True)
    checkpoint = work / "runs" / "avg__seed0" / avg_run["checkpoint"]
    tested = test(cfg, str(checkpoint), work_dir=str(tmp_path / "t"))
    assert tested["multilabel/mAP"] == pytest.approx(avg_run["metrics"]["mAP"], abs=1e-9)
    assert tested["multilabel/CF1@3"] == pytest.approx(avg_run["metrics"]["CF1@3"], abs=1e-9)
    lines = out.stdout.splitlines()
    row = next(line for line in lines if line.startswith("| broken "))
    assert row.count("failed") >= 3
    avg = next(line for line in lines if line.startswith("| avg "))
    assert f"{results['avg__seed0']['metrics']['mAP']:.1f}" in avg
    assert lines[lines.index(avg) + 1].startswith("| Original-GCN ")
    assert "failed: broken__seed0" in out.stderr
    assert (work / "tables" / "t3.md").read_text() in out.stdout
    # again: nothing is re-run, nothing changes
    before = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in (work / "results").iterdir()}
    again = mlrkit_bench(str(path), "--work-dir", str(work))
    assert again.returncode == 1 and "all 3 run(s) done" in again.stderr
    after = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in (work / "results").iterdir()}
    assert after == before
    assert [attempts(work, r) for r in sorted(results)] == [1, 1, 1]


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _unlocked(path: Path) -> bool:
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


@pytest.mark.slow  # a killed bench and its re-run: about 45 s on 2 cores
def test_sigkill_and_rerun_loses_and_duplicates_nothing(tiny_bench, tmp_path):
    bigger = {"train_dataloader.dataset.num_samples": 256, "train_cfg.max_epochs": 3}
    path = tiny_bench([("a", {}), ("b", {}), ("c", {})], overrides=bigger)
    work = tmp_path / "work"
    bench = subprocess.Popen(
        [sys.executable, "-m", "mlrkit.cli", "bench", str(path), "--work-dir", str(work),
         "--jobs", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench_env(), cwd=REPO,
    )  # fmt: skip
    try:
        # kill the bench while run b is training, after its first checkpoint
        _wait_for(lambda: (work / "runs" / "b__seed0" / "work" / "epoch_1.pth").exists(), 120,
                  "run b's first checkpoint")  # fmt: skip
        bench.send_signal(signal.SIGKILL)
        bench.wait()
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
    assert not (work / "results" / "b__seed0.json").exists()
    first = (work / "results" / "a__seed0.json").read_text()
    mtime = (work / "results" / "a__seed0.json").stat().st_mtime_ns
    # the orphaned worker of b died with the bench: its run lock is free
    _wait_for(lambda: _unlocked(work / "runs" / "b__seed0" / "run.lock"), 15, "b's worker to die")
    assert _unlocked(work / "bench.lock")

    out = mlrkit_bench(str(path), "--work-dir", str(work), "--jobs", "1")
    assert out.returncode == 0, out.stderr[-3000:]
    assert "2 run(s) to do of 3" in out.stderr
    results = results_of(work)
    assert sorted(results) == ["a__seed0", "b__seed0", "c__seed0"]
    assert all(r["status"] == "ok" for r in results.values())
    assert (work / "results" / "a__seed0.json").read_text() == first  # not re-run
    assert (work / "results" / "a__seed0.json").stat().st_mtime_ns == mtime
    assert results["b__seed0"]["resumed"] is True  # from its own epoch-1 checkpoint
    assert results["c__seed0"]["resumed"] is False
    assert [attempts(work, r) for r in ("a__seed0", "b__seed0", "c__seed0")] == [1, 2, 1]
    assert sorted(p.name for p in (work / "results").iterdir()) == [
        "a__seed0.json",
        "b__seed0.json",
        "c__seed0.json",
    ]  # no temporary files left


@pytest.mark.dist
@pytest.mark.slow
def test_a_run_under_torchrun(tiny_bench, tmp_path):
    """Both ranks train, then take the same test passes (rank 0 picks the checkpoints after a
    barrier: a rank that looked on its own could miss rank 0's files and test another one)."""
    path = tiny_bench([("avg", {})])
    work = tmp_path / "work"
    out = mlrkit_bench(
        str(path), "--work-dir", str(work), "--launcher", "pytorch", "--nproc-per-node", "2"
    )
    assert out.returncode == 0, (
        out.stderr[-3000:] + ((work / "runs" / "avg__seed0" / "worker.log").read_text()[-3000:])
    )
    result = results_of(work)["avg__seed0"]
    assert result["status"] == "ok" and result["world_size"] == 2
    assert result["launcher"] == "pytorch"


@pytest.mark.slow  # four quick runs: about a minute on 2 cores (make bench runs the full one)
def test_quick_ablation_gcn_for_real(tmp_path):
    """`mlrkit bench configs/ablation_gcn.py --quick` as shipped (about 30 s on 2 cores)."""
    work = tmp_path / "work"
    start = time.monotonic()
    out = mlrkit_bench(str(CONFIGS / "ablation_gcn.py"), "--quick", "--work-dir", str(work))
    elapsed = time.monotonic() - start
    assert out.returncode == 0, out.stderr[-3000:]
    for name in ("GCN", "RGCN", "Weighted-GCN", "AGCN", "oracle: pixels only"):
        assert f"| {name} " in out.stdout
    assert "share of gap" in out.stdout and "[--quick settings]" in out.stdout
    assert sorted(p.name for p in (work / "tables").iterdir()) == [
        "per_class_ap.csv",  # the classes x variants heatmap and its numbers
        "per_class_ap.png",
        "table_III.csv",
        "table_III.md",
        "table_III.tex",
    ]
    results = results_of(work)
    assert len(results) == 4 and all(r["status"] == "ok" for r in results.values())
    assert len(list((work / "oracles").glob("*.json"))) == 1  # one data setting, cached once
    print(f"quick ablation_gcn: {elapsed:.0f} s", file=sys.stderr)


@pytest.mark.slow  # four bench runs: about 90 s on 2 cores
def test_jobs_do_not_change_the_results(tiny_bench, tmp_path):
    """`--jobs 1` and `--jobs 2` of the same `--quick` bench give identical numbers: every
    worker runs with the fixed `--threads` (default 1), whatever `--jobs` is."""
    path = tiny_bench(
        [("avg", {}), ("max", {"model.head.pool": "max"})],
        overrides={"model.backbone.out_index": 2},
        extra='quick=dict(overrides={"train_dataloader.dataset.num_samples": 64}),',
    )
    results = {}
    for jobs in ("1", "2"):
        work = tmp_path / f"jobs{jobs}"
        out = mlrkit_bench(str(path), "--quick", "--jobs", jobs, "--work-dir", str(work))
        assert out.returncode == 0, out.stderr[-3000:]
        assert f"{jobs} at once, 1 thread(s) per process" in out.stderr
        results[jobs] = results_of(work)
    for run, one in results["1"].items():
        two = results["2"][run]
        assert one["threads"] == two["threads"] == 1
        assert one["fingerprint"] == two["fingerprint"]
        assert one["metrics"] == two["metrics"] and one["per_class_ap"] == two["per_class_ap"]


def test_threads_are_part_of_the_fingerprint(tiny_bench):
    from mlrkit.bench.spec import load_bench

    path = tiny_bench([("avg", {})])
    one, two = load_bench(path), load_bench(path, threads=2)
    assert one.threads == 1 and two.threads == 2
    assert one.runs[0].fingerprint != two.runs[0].fingerprint
    with pytest.raises(ValueError, match="--threads must be a positive integer"):
        load_bench(path, threads=0)


def _half_done(work: Path, run: str) -> None:
    """Make a finished run look interrupted after its first epoch (as a SIGKILL leaves it),
    with the pointer as mmengine used to write it: an absolute path."""
    run_work = work / "runs" / run / "work"
    (work / "results" / f"{run}.json").unlink()
    for path in run_work.glob("*.pth"):
        if path.name != "epoch_1.pth":
            path.unlink()
    (run_work / "last_checkpoint").write_text(str((run_work / "epoch_1.pth").resolve()))


@pytest.mark.slow  # three bench runs: about 40 s on 2 cores
def test_a_moved_or_copied_bench_dir_finishes_from_its_own_checkpoints(tiny_bench, tmp_path):
    path = tiny_bench([("a", {})], overrides={"train_cfg.max_epochs": 2})
    first = tmp_path / "first"
    out = mlrkit_bench(str(path), "--work-dir", str(first))
    assert out.returncode == 0, out.stderr[-3000:]
    _half_done(first, "a__seed0")
    copied = tmp_path / "copied"
    shutil.copytree(first, copied)
    moved = tmp_path / "moved"
    first.rename(moved)  # the absolute pointer now names a folder that is gone
    for work in (moved, copied):
        before = {p: p.stat().st_mtime_ns for p in moved.rglob("*") if p.is_file()}
        out = mlrkit_bench(str(path), "--work-dir", str(work))
        assert out.returncode == 0, out.stderr[-3000:]
        result = results_of(work)["a__seed0"]
        assert result["status"] == "ok" and result["resumed"] is True
        run_work = work / "runs" / "a__seed0" / "work"
        assert (run_work / "epoch_2.pth").is_file()
        assert (run_work / "last_checkpoint").read_text().strip() == "epoch_2.pth"
        log = "\n".join(p.read_text() for p in run_work.glob("*/*.log"))
        assert f"Load checkpoint from {run_work.resolve() / 'epoch_1.pth'}" in log
        if work == copied:  # the copy left the moved original alone
            assert {p: p.stat().st_mtime_ns for p in moved.rglob("*") if p.is_file()} == before
