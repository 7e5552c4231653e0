"""The options the verbs share (mlrkit/commands/_args.py) parse alike in every verb."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mlrkit.cli import build_parser

# verb -> the arguments it needs before its options
VERBS = {
    "train": ["c.py"],
    "test": ["c.py", "ck.pth"],
    "bench": ["c.py"],
    "calibrate": ["c.py", "ck.pth"],
    "cam": ["c.py", "ck.pth", "img.png"],
    "export": ["c.py", "ck.pth", "--out", "m.onnx"],
    "predict": ["c.py", "ck.pth", "img.png"],
    "data": ["check", "c.py"],
}


@pytest.mark.parametrize("verb", VERBS)
def test_cfg_options_parse_into_a_dict(verb):
    parser = build_parser()
    args = parser.parse_args([verb, *VERBS[verb]])
    assert args.cfg_options == {}
    args = parser.parse_args([verb, *VERBS[verb], "--cfg-options", "a.b=3", "c=x"])
    assert args.cfg_options == {"a.b": 3, "c": "x"}


@pytest.mark.parametrize("verb", ["train", "test", "bench"])
def test_launcher_choices(verb):
    parser = build_parser()
    assert parser.parse_args([verb, *VERBS[verb]]).launcher == "none"
    assert parser.parse_args([verb, *VERBS[verb], "--launcher", "slurm"]).launcher == "slurm"
    with pytest.raises(SystemExit):
        parser.parse_args([verb, *VERBS[verb], "--launcher", "mpi"])


@pytest.mark.parametrize("verb", [v for v in VERBS if v != "predict"])
def test_debug_flag(verb):
    parser = build_parser()
    assert parser.parse_args([verb, *VERBS[verb]]).debug is False
    assert parser.parse_args([verb, *VERBS[verb], "--debug"]).debug is True


def test_help_imports_no_torch():
    code = (
        "import sys; from mlrkit.cli import main\n"
        "try:\n    main(['train', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "MLRKIT_DISABLE_PLUGIN_AUTOLOAD": "1"},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"
