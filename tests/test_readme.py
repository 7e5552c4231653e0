"""Every command in the README is run, here or by CI, so the guide cannot rot.

The README's ``bash`` blocks are parsed into commands. Each command must be listed below,
exactly as written, either as run by CI (``.ci/run`` and the Makefile targets it calls) or
with the test that runs it. Commands run here are executed as written, from a scratch folder
that links the repository's ``configs/`` and ``docs/``, with ``mlrkit`` on the PATH, plus the
stated substitutions that shrink them to CPU size: tiny dataset sizes appended as
``--cfg-options``; a ResNet-18 and a generated mini COCO for the full-scale configs; two
processes for eight GPUs; a stand-in ``srun``/``sbatch`` for Slurm.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BIN = Path(sys.executable).parent

TINY_SYNTHETIC = [
    "train_dataloader.dataset.num_samples=512",
    "val_dataloader.dataset.num_samples=96",
    "test_dataloader.dataset.num_samples=96",
    "train_dataloader.dataset.image_size=32",
    "val_dataloader.dataset.image_size=32",
    "test_dataloader.dataset.image_size=32",
    "model.backbone.out_index=1",
]

# Commands that CI runs (see test_ci_runs_the_commands_it_is_said_to_run).
BY_CI = {
    "make bench": ".ci/run",
    "make test": ".ci/run",
    "make lint": ".ci/run",
    ".venv/bin/python -m pytest -m slow": ".ci/run",
    "pip install -e plugins/mlrkit-csra": "Makefile (test target)",
    "mlrkit bench configs/plugins/csra_vs_deeplift.py --quick": "Makefile (test target)",
    "mlrkit bench configs/ablation_gcn.py": "Makefile (bench target)",
}
# Commands a test elsewhere runs as written: file -> the text that test runs.
BY_OTHER_TESTS = {
    "mlrkit bench configs/ablation_gcn.py --quick": (
        "tests/bench/test_end_to_end.py",
        'mlrkit_bench(str(CONFIGS / "ablation_gcn.py"), "--quick"',
    ),
}


def readme_commands() -> list[str]:
    """The commands of the README's bash blocks (continuations joined, comments dropped)."""
    text = README.read_text()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        block = block.replace("\\\n", " ")
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
            if line:
                commands.append(re.sub(r"\s+", " ", line))
    return commands


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shell(command: str, cwd: Path, extra_env: dict | None = None, timeout: int = 600):
    env = dict(
        os.environ,
        PATH=f"{BIN}:{os.environ['PATH']}",
        OMP_NUM_THREADS="1",
        PYTHONUNBUFFERED="1",
        MLRKIT_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    env.update(extra_env or {})
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def with_options(command: str, options: list[str]) -> str:
    """Append ``--cfg-options`` (or extend the one the command has)."""
    quoted = " ".join(shlex.quote(o) for o in options)
    if "--cfg-options" in command:
        return command.replace("--cfg-options", f"--cfg-options {quoted}", 1)
    return f"{command} --cfg-options {quoted}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A folder that looks like the repository root to the README's relative paths."""
    root = tmp_path_factory.mktemp("readme")
    (root / "configs").symlink_to(REPO / "configs")
    (root / "docs").symlink_to(REPO / "docs")
    return root


def test_every_readme_command_is_accounted_for():
    handled = set(BY_CI) | set(BY_OTHER_TESTS) | set(RUN_HERE)
    missing = [c for c in readme_commands() if c not in handled]
    assert not missing, f"README commands no test or CI runs (add them to {__file__}): {missing}"
    stale = [c for c in handled if c not in readme_commands()]
    assert not stale, f"commands listed here but no longer in the README: {stale}"


def test_ci_runs_the_commands_it_is_said_to_run():
    ci = (REPO / ".ci/run").read_text()
    makefile = (REPO / "Makefile").read_text()
    for command in ("make test", "make bench", "make lint", "-m pytest -m slow"):
        assert command in ci
    test_target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "-e plugins/mlrkit-csra" in makefile and "$(PLUGIN_STAMP)" in test_target
    assert "mlrkit bench configs/plugins/csra_vs_deeplift.py --quick" in test_target
    bench_target = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert "mlrkit bench configs/ablation_gcn.py" in bench_target
    for command, (path, text) in BY_OTHER_TESTS.items():
        assert text in (REPO / path).read_text(), f"{path} no longer runs {command!r}"


# -- commands run here --------------------------------------------------------------------


def run_list(command: str, scratch: Path) -> None:
    out = shell(command, scratch)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "DeepLIFTHead" in out.stdout


def run_data_check(command: str, scratch: Path) -> None:
    out = shell(with_options(command, TINY_SYNTHETIC), scratch)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "no leak between train and val/test" in out.stdout
    assert (scratch / "work_dirs/data_check/deeplift_agcn/class_frequencies.png").is_file()


def run_train_test_cam(command: str, scratch: Path) -> None:
    # the three commands share a trained model: train once (tiny), then test and cam on it
    ckpt = scratch / "work_dirs/deeplift_agcn/epoch_8.pth"
    if command.startswith("mlrkit train"):
        out = shell(with_options(command, TINY_SYNTHETIC), scratch)
        assert out.returncode == 0, out.stderr[-3000:]
        assert ckpt.is_file()
        return
    if not ckpt.is_file():
        run_train_test_cam("mlrkit train configs/synthetic/deeplift_agcn.py", scratch)
    out = shell(with_options(command, TINY_SYNTHETIC), scratch)
    assert out.returncode == 0, out.stderr[-3000:]
    if command.startswith("mlrkit test"):
        out_json = scratch / "work_dirs/deeplift_agcn/test.json"
        metrics = json.loads(out_json.read_text())["metrics"]
        assert 0 < metrics["multilabel/mAP"] <= 100
    else:
        pngs = list((scratch / "work_dirs/deeplift_agcn/cam").glob("*.png"))
        assert len(pngs) == 1
        with Image.open(pngs[0]) as grid:
            assert grid.size[0] > 200
    # the README's commands write under work_dirs/, not beside the repository's own files
    assert not (scratch / "cam").exists() and not (scratch / "results.json").exists()


WORK = "work_dirs/deeplift_agcn"
USE_MODEL = f"configs/synthetic/deeplift_agcn.py {WORK}/epoch_8.pth"


def run_use_model(command: str, scratch: Path) -> None:
    """calibrate, test --thresholds, predict, export and the ONNX runs on the shared tiny model
    (each runs what it depends on first, so any one can run alone)."""
    ckpt = scratch / "work_dirs/deeplift_agcn/epoch_8.pth"
    thresholds = ckpt.with_name("epoch_8.thresholds.json")
    onnx = scratch / WORK / "model.onnx"
    if not ckpt.is_file():
        run_train_test_cam("mlrkit train configs/synthetic/deeplift_agcn.py", scratch)
    if "--thresholds" in command and not thresholds.is_file():
        run_use_model(f"mlrkit calibrate {USE_MODEL}", scratch)
    if "model.onnx" in command and not command.startswith("mlrkit export") and not onnx.is_file():
        run_use_model(f"mlrkit export {USE_MODEL} --out {WORK}/model.onnx", scratch)
    uses_config = command.startswith("mlrkit") and "--onnx" not in command
    out = shell(with_options(command, TINY_SYNTHETIC) if uses_config else command, scratch)
    assert out.returncode == 0, out.stderr[-3000:]
    docs_images = len(list((scratch / "docs").rglob("*.png")))
    if command.startswith("mlrkit calibrate"):
        saved = json.loads(thresholds.read_text())
        assert saved["fitted_on"]["split"] == "val" and len(saved["per_class"]) == 20
    elif command.startswith("mlrkit test"):
        assert "multilabel/calibrated/CF1" in out.stdout
    elif command.startswith("mlrkit export"):
        assert onnx.is_file() and "batch 1 and 7" in out.stdout
    elif "--onnx" in command:
        (record,) = [json.loads(line) for line in out.stdout.splitlines()]
        assert record["path"] == "docs/scene.png" and len(record["labels"]) <= 3
    elif "predictions.jsonl" in command:
        records = (scratch / WORK / "predictions.jsonl").read_text().splitlines()
        assert len(records) == docs_images and all("scores" in json.loads(r) for r in records)
    else:
        rows = (scratch / WORK / "predictions.csv").read_text().splitlines()
        assert len(rows) == 1 + docs_images and rows[0].startswith("path,labels,error,")


def run_bench_seeds(command: str, scratch: Path) -> None:
    out = shell(f"{command} --quick --work-dir bench_seeds", scratch)
    assert out.returncode == 0, out.stderr[-3000:]
    results = list((scratch / "bench_seeds/results").glob("*.json"))
    assert {json.loads(p.read_text())["seed"] for p in results} == {0, 1, 2}
    assert "Table I" in out.stdout and "ours (n=3)" in out.stdout


def run_bench_modern(command: str, scratch: Path) -> None:
    pytest.importorskip("mlrkit_csra")  # installed by the Makefile's test target
    out = shell(
        f"{command} --quick --work-dir bench_modern",
        scratch,
        extra_env={"MLRKIT_DISABLE_PLUGIN_AUTOLOAD": "0"},  # the CSRA row is the plugin's
        timeout=3600,  # seven quick runs, two of them transformers: over 10 min under load
    )
    assert out.returncode == 0, out.stderr[-3000:]
    table = (scratch / "bench_modern/tables/comparison_modern.md").read_text()
    for row in ("pooled", "ML-GCN", "Deep-LIFT (AGCN)", "CSRA", "Query2Label", "ML-Decoder"):
        assert f"| {row} " in table and "failed" not in table
    assert "| ADD-GCN " in table and "Sources: " in table and "oracle: pixels only" in table


def make_mini_coco(root: Path) -> None:
    """A COCO layout with a few 64 px JPEGs and five real COCO class names."""
    rng = np.random.default_rng(0)
    cats = [(1, "person"), (2, "bicycle"), (3, "car"), (18, "dog"), (62, "chair")]
    for split, n in (("train2014", 24), ("val2014", 10)):
        (root / split).mkdir(parents=True)
        images, anns = [], []
        for i in range(n):
            name = f"{split}_{i:03d}.jpg"
            pixels = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / split / name)
            images.append({"id": i + 1, "file_name": name, "width": 64, "height": 64})
            for k in rng.choice(len(cats), size=2, replace=False):
                anns.append(
                    {
                        "id": len(anns) + 1,
                        "image_id": i + 1,
                        "category_id": cats[k][0],
                        "bbox": [0, 0, 8, 8],
                        "area": 64,
                        "iscrowd": 0,
                    }
                )
        (root / "annotations").mkdir(exist_ok=True)
        (root / f"annotations/instances_{split}.json").write_text(
            json.dumps(
                {
                    "images": images,
                    "annotations": anns,
                    "categories": [{"id": i, "name": n} for i, n in cats],
                }
            )
        )


def full_scale_options(data: Path) -> list[str]:
    """ResNet-18 without weights at 64 px on the mini COCO, one short epoch, no workers."""
    options = [
        "model.backbone.model_name=resnet18",
        "model.backbone.pretrained_file=None",
        "train_cfg.max_epochs=1",
        # the val split: a hold-out of 6 of the 24 train2014 images (5,000 at full scale)
        "train_dataloader.dataset.hold_out_size=6",
        "val_dataloader.dataset.hold_out_size=6",
    ]
    for loader, split in (
        ("train_dataloader", "train2014"),
        ("val_dataloader", "train2014"),
        ("test_dataloader", "val2014"),
    ):
        options += [
            f"{loader}.dataset.ann_file={data}/annotations/instances_{split}.json",
            f"{loader}.dataset.img_dir={data}/{split}",
            f"{loader}.dataset.pipeline.0.size=64",
            f"{loader}.num_workers=0",
            f"{loader}.persistent_workers=False",
            f"{loader}.batch_size=4",
        ]
    return options


@pytest.fixture(scope="module")
def mini_coco(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("coco")
    make_mini_coco(root)
    return root


def run_full_scale(command: str, scratch: Path, mini_coco: Path) -> None:
    work = scratch / f"full_{abs(hash(command)) % 10**8}"
    command = with_options(command, full_scale_options(mini_coco))
    command += f" --work-dir {work}"
    if command.startswith("torchrun --nnodes=2"):  # two "machines", one process each
        port = str(free_port())
        command = command.replace("--nproc_per_node=8", "--nproc_per_node=1")
        command = command.replace("--master_port=29500", f"--master_port={port}")
        procs = [
            subprocess.Popen(
                ["bash", "-c", command],
                cwd=scratch,
                text=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=dict(
                    os.environ,
                    PATH=f"{BIN}:{os.environ['PATH']}",
                    OMP_NUM_THREADS="1",
                    NODE_RANK=str(rank),
                    MASTER_ADDR="127.0.0.1",
                    MLRKIT_DISABLE_PLUGIN_AUTOLOAD="1",
                ),
            )
            for rank in (0, 1)
        ]
        errors = [p.communicate(timeout=600)[1] for p in procs]
        assert all(p.returncode == 0 for p in procs), errors[0][-3000:] + errors[1][-3000:]
        world = 2
    elif command.startswith("torchrun"):  # eight GPUs -> two CPU processes
        command = command.replace(
            "--nproc_per_node=8", f"--nproc_per_node=2 --master_port={free_port()}"
        )
        out = shell(command, scratch)
        assert out.returncode == 0, out.stderr[-3000:]
        world = 2
    elif command.startswith("srun"):
        out = shell(
            command,
            scratch,
            {
                "PATH": f"{fake_slurm(scratch)}:{BIN}:{os.environ['PATH']}",
                "MASTER_PORT": str(free_port()),
            },
        )
        assert out.returncode == 0, out.stderr[-3000:]
        world = 2
    else:
        out = shell(command, scratch)
        assert out.returncode == 0, out.stderr[-3000:]
        world = 1
    info = json.loads((work / "run_info.json").read_text())
    assert info["world_size"] == world
    assert (work / "epoch_1.pth").is_file()


def fake_slurm(scratch: Path) -> Path:
    """``srun`` that starts its tasks here (at most 2, with Slurm's variables), and ``sbatch``
    that records the scripts it is given."""
    bin_dir = scratch / "fake_slurm"
    if bin_dir.is_dir():
        return bin_dir
    bin_dir.mkdir()
    (bin_dir / "srun").write_text("""#!/bin/bash
tasks=1
while [[ "$1" == --* ]]; do
  case "$1" in --ntasks=*) tasks="${1#--ntasks=}";; esac
  shift
done
(( tasks > 2 )) && tasks=2
export SLURM_NTASKS=$tasks SLURM_NODELIST=localhost MASTER_ADDR=127.0.0.1
pids=()
for ((i = 0; i < tasks; i++)); do SLURM_PROCID=$i SLURM_LOCALID=$i "$@" & pids+=($!); done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
""")
    (bin_dir / "sbatch").write_text("""#!/bin/bash
script="${@: -1}"
n=$(ls "$(dirname "$0")"/submitted_* 2>/dev/null | wc -l)
cp "$script" "$(dirname "$0")/submitted_$n.sh"
echo $((1000 + n))
""")
    (bin_dir / "squeue").write_text("#!/bin/bash\necho -n PENDING\n")
    for tool in ("srun", "sbatch", "squeue"):
        (bin_dir / tool).chmod(0o755)
    return bin_dir


def run_bench_slurm(command: str, scratch: Path) -> None:
    bin_dir = fake_slurm(scratch)
    out = shell(
        f"{command} --work-dir bench_slurm",
        scratch,
        {"PATH": f"{bin_dir}:{BIN}:{os.environ['PATH']}"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    scripts = sorted(bin_dir.glob("submitted_*.sh"))
    assert len(scripts) == 10  # 5 methods x (COCO, VOC2007)
    for script in scripts:
        text = script.read_text()
        assert "#SBATCH --partition=gpu" in text and "#SBATCH --ntasks-per-node=4" in text
        assert "srun " in text and "mlrkit.bench.worker" in text and "--launcher slurm" in text


RECIPE_FILES = ("my_heads.py", "my_config.py", "my_bench.py")


def recipe_folder(tmp_root: Path) -> Path:
    """The "Write your own head" files, written exactly as the README shows them, into a
    folder outside the repository (each file is the section's next ``python`` block)."""
    folder = tmp_root / "own_head"
    if folder.is_dir():
        return folder
    text = README.read_text()
    section = text.split("\n## Write your own head\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == len(RECIPE_FILES), "the recipe shows one block per file"
    folder.mkdir()
    for name, block in zip(RECIPE_FILES, blocks):
        assert name in section.split(block, 1)[0], f"the README names {name} before its block"
        (folder / name).write_text(block)
    assert REPO not in folder.resolve().parents
    return folder


def run_own_head(command: str, scratch: Path) -> None:
    folder = recipe_folder(scratch.parent)
    # the stated substitution: tiny sizes appended as --cfg-options (one epoch of 256 images)
    tiny = [o.replace("=512", "=256") for o in TINY_SYNTHETIC]
    tiny += ["train_cfg.max_epochs=1", "train_cfg.val_interval=1"]
    work = "bench_own" if command.startswith("mlrkit bench") else "train_own"
    out = shell(with_options(f"{command} --work-dir {work}", tiny), folder)
    assert out.returncode == 0, out.stderr[-3000:]
    if command.startswith("mlrkit bench"):
        results = {
            p.stem: json.loads(p.read_text()) for p in (folder / "bench_own/results").iterdir()
        }
        assert {r["status"] for r in results.values()} == {"ok"}
        heads = {r["variant"]: r["config"]["model"]["head"]["type"] for r in results.values()}
        assert heads == {"mean+max": "MeanMaxHead", "avg": "GlobalPoolHead"}
        assert "Mean+max against average pooling" in out.stdout
    else:
        assert (folder / "train_own/epoch_1.pth").is_file()
        config = (folder / "train_own/my_config.py").read_text()
        assert "MeanMaxHead" in config


RUN_HERE = {
    "mlrkit train my_config.py": run_own_head,
    "mlrkit bench my_bench.py --quick": run_own_head,
    "mlrkit list": run_list,
    "mlrkit list heads": run_list,
    "mlrkit data check configs/synthetic/deeplift_agcn.py": run_data_check,
    "mlrkit train configs/synthetic/deeplift_agcn.py": run_train_test_cam,
    "mlrkit test configs/synthetic/deeplift_agcn.py work_dirs/deeplift_agcn/epoch_8.pth "
    "--out work_dirs/deeplift_agcn/test.json": run_train_test_cam,
    "mlrkit cam configs/synthetic/deeplift_agcn.py work_dirs/deeplift_agcn/epoch_8.pth "
    "docs/scene.png --out work_dirs/deeplift_agcn/cam": run_train_test_cam,
    f"mlrkit calibrate {USE_MODEL}": run_use_model,
    f"mlrkit test {USE_MODEL} --thresholds {WORK}/epoch_8.thresholds.json": run_use_model,
    f"mlrkit predict {USE_MODEL} docs/ --out {WORK}/predictions.jsonl": run_use_model,
    f"mlrkit export {USE_MODEL} --out {WORK}/model.onnx": run_use_model,
    f"mlrkit predict --onnx {WORK}/model.onnx docs/scene.png --top-k 3": run_use_model,
    f"python -m mlrkit.inference.onnx_predictor {WORK}/model.onnx docs/ "
    f"--out {WORK}/predictions.csv": run_use_model,
    "mlrkit bench configs/comparison.py --seeds 0 1 2 --jobs 2": run_bench_seeds,
    "mlrkit bench configs/comparison_modern.py --jobs 1": run_bench_modern,
    "mlrkit train configs/coco/deeplift_agcn_r101_448.py": run_full_scale,
    "torchrun --nproc_per_node=8 -m mlrkit.cli train configs/coco/deeplift_agcn_r101_448.py "
    "--launcher pytorch": run_full_scale,
    "torchrun --nnodes=2 --node_rank=$NODE_RANK --master_addr=$MASTER_ADDR --master_port=29500 "
    "--nproc_per_node=8 -m mlrkit.cli train configs/coco/deeplift_agcn_r101_448.py "
    "--launcher pytorch": run_full_scale,
    "srun --partition=gpu --nodes=2 --ntasks=16 --ntasks-per-node=8 --gres=gpu:8 mlrkit train "
    "configs/coco/deeplift_agcn_r101_448.py --launcher slurm": run_full_scale,
    "mlrkit bench configs/full_scale/comparison.py --launcher slurm --nproc-per-node 4 "
    "--slurm-partition gpu": run_bench_slurm,
}


# minutes, not seconds: run with the slow tests (CI runs them too)
SLOW = {
    "mlrkit bench configs/comparison.py --seeds 0 1 2 --jobs 2",
    "mlrkit bench my_bench.py --quick",  # two worker processes: about 30 s
    "mlrkit bench configs/comparison_modern.py --jobs 1",
}


@pytest.mark.parametrize(
    "command",
    [pytest.param(c, marks=pytest.mark.slow) if c in SLOW else c for c in RUN_HERE],
    ids=lambda c: c[:60],
)
def test_readme_command_runs(command, scratch, request):
    handler = RUN_HERE[command]
    if handler is run_full_scale:
        handler(command, scratch, request.getfixturevalue("mini_coco"))
    else:
        handler(command, scratch)


def test_readme_bench_example_is_a_valid_bench(scratch):
    """The own-bench example of the README loads, with its quick settings, as written."""
    from mlrkit.bench.spec import load_bench

    block = next(
        b
        for b in re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
        if b.startswith("bench = dict(")
    )
    config = scratch / "my_bench.py"
    config.write_text(block)
    try:
        plan = load_bench(config, quick=True)
    finally:
        config.unlink()
    assert [v.name for v in plan.variants] == ["AGCN", "AGCN tau 0.3", "pooled"]
    assert len(plan.runs) == 6 and plan.tables[0].name == "my_table"
