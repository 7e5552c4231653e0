# Full-scale sibling of configs/recipes.py: the pooled ResNet-101, ML-GCN (re-weighted), Deep-LIFT
# (AGCN) and CSRA (plugin) on MS-COCO 2014 and PASCAL VOC2007 at 448x448 with ImageNet weights,
# each under the paper recipe (configs/{coco,voc2007}/*_r101_448.py) and the modern recipe
# (configs/modern/*: configs/_base_/schedules/modern_full.py), held-out protocol (COCO: a
# 5,000-image hash hold-out of train2014 selects, val2014 is reported; VOC: train / val / test),
# seed 0 (`--seeds 0 1 2` for three, as the built-in table). Needs GPUs, both datasets under
# data/, checkpoints/resnet101.pth and the plugin.
#   mlrkit bench configs/full_scale/recipes.py --jobs 4          # one GPU per run
#   mlrkit bench configs/full_scale/recipes.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
from mmengine.config import read_base

with read_base():
    from ..recipes import *  # noqa: I001
    from .._base_.bench_full_scale import *

HEADS = [
    # (name, paper-recipe base, modern-recipe base), {dataset} = coco | voc2007
    ("pooled", "../{dataset}/pooled_r101_448.py", "../modern/{dataset}_pooled_r101_448.py"),
    (
        "ML-GCN (re-weighted)",
        "../{dataset}/mlgcn_r101_448.py",
        "../modern/{dataset}_mlgcn_r101_448.py",
    ),
    (
        "Deep-LIFT (AGCN)",
        "../{dataset}/deeplift_agcn_r101_448.py",
        "../modern/{dataset}_deeplift_agcn_r101_448.py",
    ),
    ("CSRA", "../plugins/csra_{dataset}_r101_448.py", "../modern/{dataset}_csra_r101_448.py"),
]
# configs/recipes.py on the full-scale experiments: its heads, recipes and tables, with COCO's
# and VOC's columns.
bench = dict(
    FULL_SCALE,
    name="recipes_full_scale",
    overrides=bench.overrides,
    variants=[
        dict(name=f"{head} / {recipe}", base=paper if recipe == "paper" else modern)
        for head, paper, modern in HEADS
        for recipe in RECIPES
    ],
    tables=[
        dict(
            bench.tables[0],
            name="recipes_full_scale",
            columns=[
                dict(metric="mAP", header="COCO mAP", dataset="coco"),
                dict(metric="CF1", header="COCO CF1", dataset="coco"),
                dict(metric="OF1", header="COCO OF1", dataset="coco"),
                dict(metric="mAP", header="VOC mAP", dataset="voc"),
            ],
        ),
        dict(
            bench.tables[1],
            name="recipes_full_scale_last_epoch",
            columns=[
                dict(metric="mAP", header="COCO mAP", dataset="coco"),
                dict(metric="mAP", header="VOC mAP", dataset="voc"),
            ],
        ),
    ],
)
