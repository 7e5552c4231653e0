# The heads side by side under one recipe and one protocol: the pooled baseline, ML-GCN
# (re-weighted graph), Deep-LIFT (AGCN), CSRA (the mlrkit-csra plugin, 1 head), Query2Label,
# ML-Decoder and ADD-GCN, all on the built-in data (ResNet-18 cut after stage 2, 48 px, trained
# from scratch) under the modern recipe (configs/_base_/schedules/modern_builtin.py), 3 seeds,
# with the oracle ceilings. The paper rows are each method's published MS-COCO mAP
# (ResNet-101 at 448 px, except ML-Decoder's TResNet-L; sources under the table, from
# mlrkit/data/paper/literature.json): a different dataset and scale, for the ranking only.
# Needs the CSRA plugin: `pip install -e plugins/mlrkit-csra`.
#   mlrkit bench configs/comparison_modern.py [--quick] [--jobs N]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/comparison_modern.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_quick import *

ROWS = [
    dict(variant="pooled", paper="ResNet-101 (avg pool)"),
    dict(variant="ML-GCN", paper="ML-GCN"),
    dict(variant="Deep-LIFT (AGCN)", paper="Deep-LIFT (AGCN)"),
    dict(variant="CSRA", paper="CSRA (4 heads)"),
    dict(variant="Query2Label", paper="Query2Label"),
    dict(variant="ML-Decoder", paper="ML-Decoder (TResNet-L)"),
    dict(variant="ADD-GCN", paper="ADD-GCN"),
]
bench = dict(
    seeds=[0, 1, 2],
    variants=[  # run order (seed by seed); the table's row order is ROWS
        dict(name="Query2Label", base="synthetic/query2label.py"),
        dict(name="ML-Decoder", base="synthetic/ml_decoder.py"),
        dict(name="ADD-GCN", base="synthetic/add_gcn.py"),
        dict(name="pooled", base="synthetic/pooled_modern.py"),
        dict(name="ML-GCN", base="synthetic/mlgcn_modern.py"),
        dict(name="Deep-LIFT (AGCN)", base="synthetic/deeplift_agcn_modern.py"),
        dict(name="CSRA", base="plugins/csra_synthetic_modern.py"),
    ],
    # one seed, validated every epoch
    quick=dict(overrides={**QUICK.overrides, "train_cfg.val_interval": 1}, seeds=[0]),
    tables=[
        dict(
            name="comparison_modern",
            title="Heads under one recipe: modern recipe, built-in data",
            paper="literature_coco_map",
            paper_setting=(
                "MS-COCO 2014, ResNet-101 (ImageNet) at 448x448 (ML-Decoder: TResNet-L), each "
                "method's own recipe and protocol"
            ),
            row_header="Method",
            rows=ROWS,
            columns=[
                dict(metric="mAP", paper="mAP"),
                dict(metric="CF1"),
                dict(metric="OF1"),
                dict(metric="CF1@3"),
                dict(metric="OF1@3"),
            ],
        )
    ],
)
