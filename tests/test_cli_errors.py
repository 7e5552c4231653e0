"""Bad input through the command line: one line naming the problem, no traceback (issue 13).

Each case of ``CASES`` is a command a user could type with one bad input in it. The check is
what the user sees: the exit code, and stderr holding exactly one line that names the thing
(the file, the key, the option) and no ``Traceback`` (``--debug`` keeps tracebacks).

The cases run as ``mlrkit.cli.main(argv)`` calls in ONE child process (importing torch, timm
and mmengine once instead of once per case): before each call the child points its file
descriptor 2 at a file of the case's own, so everything written to stderr (Python, logging,
C libraries) is captured as a terminal would show it, and an exception escaping ``main`` is
printed as the interpreter prints it (a traceback). ``test_real_entry_point_prints_one_line``
runs one case as ``python -m mlrkit.cli`` on its own, to check the entry point itself.

To add a case: write its bad input in the ``bad`` fixture, and a :class:`Case` to ``CASES``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "synthetic" / "deeplift_agcn.py"
COCO_CONFIG = REPO / "configs" / "coco" / "deeplift_agcn_r101_448.py"
# tiny data: the cases fail before (or at) the first batch
TINY = [
    "train_dataloader.dataset.num_samples=64",
    "val_dataloader.dataset.num_samples=32",
    "test_dataloader.dataset.num_samples=32",
    "train_dataloader.dataset.image_size=32",
    "val_dataloader.dataset.image_size=32",
    "test_dataloader.dataset.image_size=32",
    "model.backbone.out_index=1",
]


@dataclass
class Case:
    """One bad input: ``argv`` (``{bad}`` is the folder of bad inputs) and what stderr says.

    Attributes:
        id: the test id.
        argv: the command after ``mlrkit``; ``{bad}`` and ``{repo}`` are filled in.
        says: substrings the error line must contain (``{bad}`` filled in).
        not_says: substrings it must not contain.
        rc: the expected exit code; None: any non-zero code.
        lines: how many stderr lines there may be; None: any, as long as exactly one line
            holds ``says`` (commands that also report progress on stderr).
        traceback: whether a traceback is expected (``--debug``).
        env: environment variables to set; "" unsets one.
        path: folders (below ``bad``) put first on ``sys.path`` (plugin distributions).
    """

    id: str
    argv: list[str]
    says: list[str]
    not_says: list[str] = field(default_factory=list)
    rc: int | None = None
    lines: int | None = 1
    traceback: bool = False
    env: dict[str, str] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)


def _train(*options: str, config: Path = CONFIG, work: str = "{bad}/work") -> list[str]:
    return ["train", str(config), "--work-dir", work, "--cfg-options", *TINY, *options]


CASES = [
    Case("config-syntax-error", ["train", "{bad}/syntax_error.py"], ["syntax_error.py", "line 3"]),
    Case(
        "config-syntax-error-debug",
        ["train", "{bad}/syntax_error.py", "--debug"],
        ["SyntaxError: config file"],
        lines=None,
        traceback=True,
    ),
    Case(
        "train-unknown-cfg-option",
        _train("train_cfg.max_epoch=3"),
        ["'max_epoch'", "Did you mean: train_cfg.max_epochs"],
    ),
    Case(
        "test-unknown-cfg-option",
        ["test", str(CONFIG), "{bad}/none.pth", "--cfg-options", "test_dataloader.batch_sise=8"],
        ["'batch_sise'", "test_dataloader.batch_size"],
    ),
    Case("max-epochs-not-a-number", _train("train_cfg.max_epochs=two"), ["max_epochs=two"]),
    Case("work-dir-is-a-file", _train(work="{bad}/a_file"), ["{bad}/a_file", "is a file"]),
    Case(
        "work-dir-under-a-file",
        _train(work="{bad}/a_file/run"),
        ["{bad}/a_file/run", "{bad}/a_file, which is a file"],
    ),
    Case(
        "work-dir-not-writable",
        _train(work="/sys/mlrkit-work-dir"),
        ["/sys/mlrkit-work-dir", "writable"],
    ),
    Case(
        "test-out-is-a-folder",
        ["test", str(CONFIG), "{bad}/none.pth", "--out", "{bad}/out_dir"],
        ["--out {bad}/out_dir is a folder"],
    ),
    Case(
        "schedule-shorter-than-one-cycle",
        _train("train_cfg.max_epochs=1", "train_dataloader.batch_size=16"),
        ["OneCycleLR", "pct_start=0.25", "4 iteration", "0 steps"],
    ),
    Case(
        "coco-without-images",
        [
            "train",
            str(COCO_CONFIG),
            "--work-dir",
            "{bad}/work",
            "--cfg-options",
            "train_dataloader.dataset.ann_file={bad}/coco_no_images.json",
            "train_dataloader.dataset.img_dir={bad}",
        ],
        ["coco_no_images.json", "'images' list is empty"],
    ),
    Case(
        "deeply-nested-json",
        [
            "train",
            str(COCO_CONFIG),
            "--work-dir",
            "{bad}/work",
            "--cfg-options",
            "train_dataloader.dataset.ann_file={bad}/nested.json",
            "train_dataloader.dataset.img_dir={bad}",
        ],
        ["nested.json", "too deeply"],
    ),
    Case(
        "corrupt-image",
        ["train", "{bad}/list_corrupt.py", "--work-dir", "{bad}/work"],
        ["corrupt.jpg", "truncated", "sample 0", "on_bad_image='skip'"],
    ),
    Case(
        "zero-byte-image",
        ["train", "{bad}/list_empty.py", "--work-dir", "{bad}/work"],
        ["empty.png", "empty", "sample 0", "on_bad_image='skip'"],
    ),
    Case(
        "adjacency-with-nan",
        _train("model.adjacency={bad}/nan_adjacency.npy"),
        ["nan_adjacency.npy", "NaN"],
        not_says=["shape"],
    ),
    Case(
        "pickled-adjacency",
        _train("model.adjacency={bad}/pickled_adjacency.npy"),
        ["pickled_adjacency.npy", "pickle"],
    ),
    Case(
        "bench-result-of-the-wrong-type",
        ["bench", "{bad}/bench.py", "--work-dir", "{bad}/bench_work", "--format", "md"],
        ["b__seed0.json", "mAP is 'high', not a number"],
        rc=1,
        lines=None,
    ),
    Case(
        "plugin-calls-sys-exit",
        ["list", "losses"],
        ["exit_plugin", "SystemExit"],
        rc=0,
        env={"MLRKIT_DISABLE_PLUGIN_AUTOLOAD": ""},
        path=["exit_plugin"],
    ),
    Case(
        "plugin-raises-keyboard-interrupt",
        ["list", "losses"],
        ["interrupt_plugin", "KeyboardInterrupt"],
        rc=0,
        env={"MLRKIT_DISABLE_PLUGIN_AUTOLOAD": ""},
        path=["interrupt_plugin"],
    ),
    # checkpoints: refused by weights_only (said as `cam` says it), even when torch is told to
    # unpickle; damaged; nothing to resume
    *[
        Case(
            f"checkpoint-refused-by-weights-only-{where}",
            argv,
            ["evil.pth", "cannot be loaded safely (weights_only=True)"],
            rc=1,
            env={"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"},
        )
        for where, argv in (
            ("test", ["test", str(CONFIG), "{bad}/evil.pth", "--cfg-options", *TINY]),
            (
                "resume",
                [
                    "train",
                    str(CONFIG),
                    "--work-dir",
                    "{bad}/w_resume",
                    "--resume",
                    "{bad}/evil.pth",
                    "--cfg-options",
                    *TINY,
                ],
            ),
            ("load-from", _train("load_from={bad}/evil.pth", work="{bad}/w_load")),
            (
                "pretrained-file",
                _train("model.backbone.pretrained_file={bad}/evil.pth", work="{bad}/w_pretrained"),
            ),
        )
    ],  # fmt: skip
    Case(
        "checkpoint-truncated-on-resume",
        [
            "train",
            str(CONFIG),
            "--work-dir",
            "{bad}/w_cut",
            "--resume",
            "{bad}/truncated.pth",
            "--cfg-options",
            *TINY,
        ],
        ["truncated.pth", "is damaged (truncated or not a checkpoint"],
        rc=1,
    ),  # fmt: skip
    Case(
        "resume-with-nothing-to-resume",
        ["train", str(CONFIG), "--work-dir", "{bad}/w_typo", "--resume", "--cfg-options", *TINY],
        ["--resume: nothing to resume in", "w_typo", "--resume-or-start"],
        rc=1,
    ),
]


class _Payload:
    """Unpickling this would run ``os.system``: the checkpoint loaders must refuse it."""

    def __reduce__(self):
        return (os.system, ("touch payload_ran",))


LIST_CONFIG = """
from mmengine.dataset import DefaultSampler, default_collate
from mmengine.optim import OptimWrapper
from torch.optim import AdamW

from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.datasets.list_dataset import ListMultiLabel
from mlrkit.heads.global_pool import GlobalPoolHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier
from mlrkit.transforms.resize import Resize

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet18", out_index=1),
    head=dict(type=GlobalPoolHead),
    loss=dict(type=BinaryCrossEntropyLoss),
)
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    sampler=dict(type=DefaultSampler, shuffle=False),
    collate_fn=dict(type=default_collate),
    dataset=dict(type=ListMultiLabel, ann_file="{ann_file}", pipeline=[dict(type=Resize, size=32)]),
)
optim_wrapper = dict(type=OptimWrapper, optimizer=dict(type=AdamW, lr=1e-3))
train_cfg = dict(by_epoch=True, max_epochs=1)
"""

BENCH_CONFIG = """
bench = dict(
    base="{base}",
    seeds=[0],
    overrides={{
        "train_dataloader.dataset.num_samples": 64,
        "val_dataloader.dataset.num_samples": 64,
        "test_dataloader.dataset.num_samples": 64,
    }},
    variants=[dict(name="a"), dict(name="b")],
    tables=[
        dict(
            name="t",
            title="a against b",
            row_header="model",
            rows=[dict(variant="a"), dict(variant="b")],
            columns=[dict(metric="mAP"), dict(metric="OF1")],
        )
    ],
)
"""


def write_bad_inputs(bad: Path, make_distribution) -> None:
    """Every bad input of ``CASES``, in the folder ``bad``."""
    from PIL import Image

    (bad / "syntax_error.py").write_text("model = dict(\n    type='X',\n    head=(\n")
    (bad / "a_file").write_text("not a folder\n")
    (bad / "out_dir").mkdir()
    images = {"images": [], "annotations": [], "categories": [{"id": 1, "name": "cat"}]}
    (bad / "coco_no_images.json").write_text(json.dumps(images))
    (bad / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
    Image.new("RGB", (8, 8), (10, 200, 30)).save(bad / "good.png")
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 10)).save(jpeg, "JPEG")
    (bad / "corrupt.jpg").write_bytes(jpeg.getvalue()[:300])  # a download cut short
    (bad / "empty.png").write_bytes(b"")
    for name, image in (("corrupt", "corrupt.jpg"), ("empty", "empty.png")):
        (bad / f"list_{name}.csv").write_text(
            f"image,labels\n{bad}/{image},cat\n{bad}/good.png,dog\n"
        )
        (bad / f"list_{name}.py").write_text(LIST_CONFIG.format(ann_file=bad / f"list_{name}.csv"))
    nan = np.eye(20, dtype=np.float32)
    nan[3, 5] = np.nan
    np.save(bad / "nan_adjacency.npy", nan)
    # a pickled object array, which loading must refuse without unpickling it
    np.save(bad / "pickled_adjacency.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    write_bench(bad)
    import torch

    state = {"state_dict": {"w": torch.zeros(64, 64)}}
    torch.save({**state, "evil": _Payload()}, bad / "evil.pth")
    torch.save(state, bad / "whole.pth")
    (bad / "truncated.pth").write_bytes((bad / "whole.pth").read_bytes()[:3000])
    for dist, module, statement in (
        ("exit_plugin", "exit_plugin_mod", "import sys\nsys.exit(3)\n"),
        ("interrupt_plugin", "interrupt_plugin_mod", "raise KeyboardInterrupt\n"),
    ):
        make_distribution(bad / dist, dist, module, statement)


def write_bench(bad: Path) -> None:
    """A finished two-run bench whose second result has a string where mAP should be."""
    from mlrkit.bench.spec import load_bench

    bench = bad / "bench.py"
    bench.write_text(BENCH_CONFIG.format(base=REPO / "configs" / "synthetic" / "pooled.py"))
    plan = load_bench(bench)
    figures = ["mAP", "CP", "CR", "CF1", "OP", "OR", "OF1"]
    figures += [f"{f}@3" for f in figures[1:]]
    for run in plan.runs:
        metrics = {name: 50.0 for name in figures}
        if run.variant == "b":
            metrics["mAP"] = "high"
        record = {**run.to_json(), "status": "ok", "metrics": metrics, "per_class_ap": {}}
        path = bad / "bench_work" / "results" / f"{run.run}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record))


DRIVER = """
import json, os, sys, time, traceback

import mlrkit.cli as cli
import mlrkit.plugins as plugins

cases = json.load(open(sys.argv[1]))
base_env, base_path = dict(os.environ), list(sys.path)
codes = {}
for case in cases:
    os.environ.clear()
    os.environ.update(base_env)
    for key, value in case["env"].items():
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)
    sys.path[:] = case["path"] + base_path
    plugins._records.clear()  # a fresh process would not have loaded any plugin yet
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(2)
    fd = os.open(case["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    os.close(fd)
    started = time.perf_counter()
    try:
        code = cli.main(case["argv"])
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
    except BaseException:  # what the interpreter does with an uncaught exception
        traceback.print_exc()
        code = 1
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
    codes[case["id"]] = code
    print(f"{case['id']}: {time.perf_counter() - started:.1f} s", flush=True)
json.dump(codes, open(sys.argv[2], "w"))
"""


def _fill(text: str, bad: Path) -> str:
    return text.replace("{bad}", str(bad)).replace("{repo}", str(REPO))


def child_env() -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        OMP_NUM_THREADS="1",
        MLRKIT_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONUNBUFFERED="1",
    )


@pytest.fixture(scope="module")
def bad(tmp_path_factory, write_distribution) -> Path:
    folder = tmp_path_factory.mktemp("bad_inputs")
    write_bad_inputs(folder, write_distribution)
    return folder


@pytest.fixture(scope="module")
def outcomes(bad) -> dict[str, tuple[int, str]]:
    """``{case id: (exit code, stderr)}`` of every case, run in one child process."""
    plan = [
        dict(
            id=case.id,
            argv=[_fill(a, bad) for a in case.argv],
            env=case.env,
            path=[str(bad / p) for p in case.path],
            stderr=str(bad / f"{case.id}.stderr"),
        )
        for case in CASES
    ]
    (bad / "cases.json").write_text(json.dumps(plan))
    (bad / "driver.py").write_text(DRIVER)
    done = subprocess.run(
        [sys.executable, str(bad / "driver.py"), str(bad / "cases.json"), str(bad / "codes.json")],
        cwd=bad,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    codes = json.loads((bad / "codes.json").read_text())
    return {c.id: (codes[c.id], (bad / f"{c.id}.stderr").read_text()) for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_one_named_line(case, bad, outcomes):
    code, stderr = outcomes[case.id]
    lines = [line for line in stderr.splitlines() if line.strip()]
    if case.rc is None:
        assert code != 0, stderr
    else:
        assert code == case.rc, stderr
    assert ("Traceback" in stderr) == case.traceback, stderr
    says = [_fill(s, bad) for s in case.says]
    if case.lines is not None:
        assert len(lines) == case.lines, stderr
    named = [line for line in lines if all(s in line for s in says)]
    assert len(named) == 1, f"no single line says {says}:\n{stderr}"
    for text in case.not_says:
        assert text not in named[0], named[0]


def test_no_stray_files(bad, outcomes):
    """``test --out DIR`` leaves DIR as it was; a refused work dir is not created."""
    assert list((bad / "out_dir").iterdir()) == []
    assert (bad / "a_file").read_text() == "not a folder\n"


def test_no_checkpoint_payload_ran(bad, outcomes):
    """The pickle payload of evil.pth (``touch payload_ran`` in the child's folder) never ran,
    although TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 told torch to unpickle."""
    assert not (bad / "payload_ran").exists()


def test_damaged_bench_result_renders_the_other_runs(bad, outcomes):
    table = (bad / "bench_work" / "tables" / "t.md").read_text()
    row_a = next(line for line in table.splitlines() if line.startswith("| a "))
    row_b = next(line for line in table.splitlines() if line.startswith("| b "))
    assert "50.0" in row_a
    assert "failed" in row_b


def test_real_entry_point_prints_one_line(bad):
    out = subprocess.run(
        [sys.executable, "-m", "mlrkit.cli", "train", str(bad / "syntax_error.py")],
        cwd=bad,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"mlrkit train: error: config file {bad / 'syntax_error.py'}, line 3: '(' was never "
        "closed; fix the Python syntax there"
    ]


def test_bench_name_is_slugged_like_variant_names(tmp_path):
    """``bench.name = "../x"`` must not put the work dir outside work_dirs/bench."""
    from mlrkit.bench.execute import default_work_dir
    from mlrkit.bench.spec import load_bench

    config = tmp_path / "escape.py"
    config.write_text(
        textwrap.dedent(
            f"""
            bench = dict(
                name="../../outside",
                base="{REPO / "configs" / "synthetic" / "pooled.py"}",
                variants=[dict(name="a")],
                tables=[dict(name="t", rows=[dict(variant="a")], columns=[dict(metric="mAP")])],
            )
            """
        )
    )
    plan = load_bench(config)
    assert plan.name == "outside"
    assert default_work_dir(plan) == Path("work_dirs") / "bench" / "outside"
