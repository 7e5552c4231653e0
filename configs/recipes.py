# How much of each head's gain survives a strong training recipe? The pooled baseline, ML-GCN
# (re-weighted graph), Deep-LIFT (AGCN) and CSRA (mlrkit-csra plugin, 1 head, lambda 0.1) on the
# built-in data, each under the paper recipe (configs/_base_/schedules/cpu_adamw.py: AdamW,
# one-cycle, BCE, float32, no augmentation, no EMA) and under the modern recipe of ASL /
# ML-Decoder / Query2Label (configs/_base_/schedules/modern_builtin.py: AdamW without decay on
# norms and biases, one-cycle, EMA weights, mixed precision, RandAugment + Cutout, ASL), with the
# held-out protocol (checkpoint selected on the val split every epoch, figures on the test
# split), 3 seeds and the two oracle ceilings. Needs the plugin: `pip install -e
# plugins/mlrkit-csra`.
#   mlrkit bench configs/recipes.py            (24 runs, about 30 min on 2 free cores)
#   mlrkit bench configs/recipes.py --quick    (a smoke bench: 2 runs)
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/recipes.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_quick import *

HEADS = [
    # (name, paper-recipe base, modern-recipe base)
    ("pooled", "synthetic/pooled.py", "synthetic/pooled_modern.py"),
    ("ML-GCN (re-weighted)", "synthetic/mlgcn.py", "synthetic/mlgcn_modern.py"),
    ("Deep-LIFT (AGCN)", "synthetic/deeplift_agcn.py", "synthetic/deeplift_agcn_modern.py"),
    ("CSRA", "plugins/csra_synthetic.py", "plugins/csra_synthetic_modern.py"),
]
RECIPES = ("paper", "modern")
COLUMNS = [dict(metric=m) for m in ("mAP", "CF1", "OF1", "CF1@3", "OF1@3")]
ROWS = [dict(variant=f"{head} / {recipe}") for head, *_ in HEADS for recipe in RECIPES]
bench = dict(
    seeds=[0, 1, 2],
    # both recipes validate every epoch, so the held-out selection has 8 checkpoints to choose
    # from (the paper recipe's built-in configs validate once, at the end)
    overrides={"train_cfg.val_interval": 1, "protocol": "held_out"},
    variants=[
        dict(name=f"{head} / {recipe}", base=paper if recipe == "paper" else modern)
        for head, paper, modern in HEADS
        for recipe in RECIPES
    ],
    quick=dict(
        # validated every epoch, as bench.overrides says
        overrides={k: v for k, v in QUICK.overrides.items() if k != "train_cfg.val_interval"},
        seeds=[0],
        variants=["pooled / paper", "pooled / modern"],
    ),
    tables=[
        dict(
            name="recipes",
            title="Heads under the paper recipe and the modern recipe (held-out selection)",
            paper=None,
            row_header="Head / recipe",
            rows=ROWS,
            columns=COLUMNS,
        ),
        dict(
            name="recipes_last_epoch",
            title="The same runs, last epoch's checkpoint (no selection)",
            paper=None,
            row_header="Head / recipe",
            rows=ROWS,
            columns=COLUMNS,
            checkpoint="last",
        ),
    ],
)
