"""Bench configs: every shipped one loads and checks; bad ones fail before anything runs."""

from __future__ import annotations

import pytest

from mlrkit.bench.spec import BenchConfigError, load_bench, slug

from .conftest import CONFIGS, mlrkit_bench

BUILT_IN = {
    "ablation_gcn.py": (["GCN", "RGCN", "Weighted-GCN", "AGCN"], ["table_III"]),
    "ablation_cam.py": (["none", "avg", "max", "avg+max"], ["table_IV"]),
    "ablation_agcn_layers.py": (["2-layer", "3-layer", "4-layer", "5-layer"], ["table_V"]),
    "ablation_rgcn_blocks.py": (["1-block", "2-block", "3-block", "4-block"], ["table_VI"]),
    "ablation_tau.py": (None, []),
    "comparison.py": (
        [
            "pooled",
            "ML-GCN (binary)",
            "ML-GCN (re-weighted)",
            "Deep-LIFT (RGCN)",
            "Deep-LIFT (AGCN)",
        ],
        ["table_I", "table_II"],
    ),
}


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_shipped_bench_configs_check_and_expand(name):
    variants, tables = BUILT_IN[name]
    plan = load_bench(CONFIGS / name)
    if variants is not None:
        assert [v.name for v in plan.variants] == variants
    assert [t.name for t in plan.tables] == tables
    assert len(plan.runs) == len(plan.active) * len(plan.seeds)
    for run in plan.runs:  # each run's config really carries its overrides and seed
        cfg = plan.configs[run.run]
        assert cfg.randomness.seed == run.seed
        assert cfg.train_dataloader.dataset.type.__name__ == "SyntheticScenes"
    quick = load_bench(CONFIGS / name, quick=True)
    for run in quick.runs:
        cfg = quick.configs[run.run]
        assert cfg.train_dataloader.dataset.num_samples < 1000
        assert cfg.test_dataloader.dataset.num_samples < 500


def test_ablation_configs_change_what_their_table_is_about():
    gcn = load_bench(CONFIGS / "ablation_gcn.py").configs
    enc = {k.split("__")[0]: c.model.encoder for k, c in gcn.items()}
    assert enc["GCN"].type == "GCNEncoder" and enc["GCN"].graph.kind == "reweighted"
    assert enc["RGCN"].type.__name__ == "ResidualGCNEncoder"
    assert enc["Weighted-GCN"].type == "WeightedGCNEncoder"
    assert enc["AGCN"].type.__name__ == "AttentionGCNEncoder"
    attention = load_bench(CONFIGS / "ablation_cam.py").configs
    variants = [c.model.head.channel_attention for c in attention.values()]
    assert variants == ["none", "avg", "max", "avg+max"]
    layers = load_bench(CONFIGS / "ablation_agcn_layers.py").configs
    assert [len(c.model.encoder.hidden_dims) + 1 for c in layers.values()] == [2, 3, 4, 5]
    blocks = load_bench(CONFIGS / "ablation_rgcn_blocks.py").configs
    assert [c.model.encoder.num_blocks for c in blocks.values()] == [1, 2, 3, 4]
    tau = load_bench(CONFIGS / "ablation_tau.py")
    assert len(tau.runs) == 40
    assert sorted({c.model.encoder.graph.tau for c in tau.configs.values()}) == [
        0.1,
        0.2,
        0.3,
        0.4,
        0.5,
        0.6,
        0.7,
        0.8,
        0.9,
        1.0,
    ]
    binary = [c for k, c in tau.configs.items() if k.startswith("mlgcn-binary")]
    assert len(binary) == 10 and all(c.model.encoder.graph.kind == "binary" for c in binary)
    assert len(load_bench(CONFIGS / "ablation_tau.py", quick=True).runs) == 8


@pytest.mark.parametrize(
    "path", sorted((CONFIGS / "full_scale").glob("*.py")), ids=lambda p: p.name
)
def test_full_scale_siblings_check_without_data(path):
    plan = load_bench(path)
    assert plan.datasets == {"coco": "coco", "voc": "voc2007"}
    assert len(plan.runs) == len(plan.active) * 2
    for run in plan.runs:
        cfg = plan.configs[run.run]
        assert cfg.model.backbone.model_name == "resnet101"
        assert cfg.train_dataloader.dataset.pipeline[0].size == 448
        assert (run.dataset == "coco") == ("coco" in run.base)
    with pytest.raises(BenchConfigError, match="has no bench.quick"):
        load_bench(path, quick=True)


def test_seeds_cfg_options_and_fingerprints(tiny_bench):
    path = tiny_bench([("avg", {}), ("max", {"model.head.pool": "max"})])
    plan = load_bench(path, seeds=[3, 4], cfg_options={"train_cfg.max_epochs": 2})
    assert [r.run for r in plan.runs] == ["avg__seed3", "max__seed3", "avg__seed4", "max__seed4"]
    cfg = plan.configs["max__seed4"]
    assert cfg.randomness.seed == 4 and cfg.train_cfg.max_epochs == 2
    assert cfg.model.head.pool == "max"
    again = load_bench(path, seeds=[3, 4], cfg_options={"train_cfg.max_epochs": 2})
    assert [r.fingerprint for r in plan.runs] == [r.fingerprint for r in again.runs]
    other = load_bench(path, seeds=[3, 4], cfg_options={"train_cfg.max_epochs": 3})
    assert plan.runs[0].fingerprint != other.runs[0].fingerprint


@pytest.mark.parametrize(
    "variants, kwargs, message",
    [
        (
            [("a", {"model.head.pol": "max"})],
            {},
            r"variant 'a'.*'pol'.*Did you mean: model\.head\.pool",
        ),
        ([("a", {})], {"overrides": {"train_cfg.max_epoch": 2}}, r"'max_epoch'"),
        ([("a", {}), ("a", {})], {}, "duplicate name"),
        ([("a", {})], {"table_rows": [("b", None)]}, r"no variant 'b'; the variants are: a"),
        ([("a", {})], {"table_rows": [("a", "GCN")]}, r"has no row 'GCN'.*Original-GCN"),
        (
            [("a", {})],
            {"extra": "datasets=dict(coco='coco', voc='voc2007'),"},
            r"columns\[0\] must name its dataset, one of coco, voc",
        ),
        ([("a", {})], {"extra": "colour=1,"}, r"unknown key\(s\) 'colour'"),
    ],
)
def test_bad_configs_fail_before_anything_runs(tiny_bench, variants, kwargs, message):
    with pytest.raises(BenchConfigError, match=message):
        load_bench(tiny_bench(variants, **kwargs))


def test_bad_table_columns(tiny_bench, tmp_path):
    path = tiny_bench([("a", {})])
    text = path.read_text()
    for column, message in [
        ('dict(metric="mAP", paper="COCO mAP")', None),
        ('dict(metric="mAPP", paper="COCO mAP")', r"unknown metric 'mAPP'; use one of mAP, CP"),
        ('dict(metric="mAP", paper="COCO MAP")', r"no column 'COCO MAP'.*COCO mAP"),
        ('dict(metric="AP/zebra")', r"'AP/zebra' names no class.*aeroplane"),
        ('dict(metric="CF1@5")', r"unknown metric 'CF1@5'"),
    ]:
        bad = tmp_path / "bad.py"
        bad.write_text(text.replace('dict(metric="mAP", paper="COCO mAP")', column))
        if message is None:
            load_bench(bad)
        else:
            with pytest.raises(BenchConfigError, match=message):
                load_bench(bad)


def test_missing_files_are_named(tmp_path, tiny_bench):
    with pytest.raises(FileNotFoundError, match="bench config"):
        load_bench(tmp_path / "nope.py")
    path = tiny_bench([("a", {})], base=tmp_path / "missing.py")
    with pytest.raises(FileNotFoundError, match=r"variant 'a': base config .*missing\.py"):
        load_bench(path)
    plain = tmp_path / "plain.py"
    plain.write_text("x = 1\n")
    with pytest.raises(BenchConfigError, match="has no `bench = dict"):
        load_bench(plain)


def test_cli_reports_a_bad_key_in_one_line_and_writes_nothing(tiny_bench, tmp_path):
    path = tiny_bench([("a", {"model.head.pol": "max"})])
    work = tmp_path / "work"
    out = mlrkit_bench(str(path), "--work-dir", str(work))
    assert out.returncode == 1
    assert "mlrkit bench: error: variant 'a': override 'model.head.pol'" in out.stderr
    assert "Traceback" not in out.stderr
    assert not work.exists()


def test_dry_run_prints_the_plan(tiny_bench, tmp_path):
    path = tiny_bench([("avg", {}), ("max", {"model.head.pool": "max"})])
    out = mlrkit_bench(
        str(path), "--dry-run", "--seeds", "0", "1", "--work-dir", str(tmp_path / "w")
    )
    assert out.returncode == 0, out.stderr
    assert "runs: 2 variants x 2 seed(s) = 4; to run: 4" in out.stdout
    assert "max__seed1" in out.stdout and 'model.head.pool="max"' in out.stdout
    assert "table t3 beside table_III_gcn_type" in out.stdout
    assert not (tmp_path / "w").exists()


def test_slug():
    assert slug("ML-GCN (binary)") == "ML-GCN_binary"
    assert slug("avg+max") == "avg+max"
    assert slug("a/b") == "a_b"
