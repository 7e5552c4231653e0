# Full-scale sibling of configs/comparison_modern.py: pooled, ML-GCN (re-weighted), Deep-LIFT
# (AGCN), CSRA (the authors' settings: 4 heads, lambda 0.5 on COCO; 1 head, lambda 0.1 on VOC),
# Query2Label, ML-Decoder and ADD-GCN on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101
# (ImageNet weights) at 448x448, all under the modern recipe (configs/_base_/schedules/
# modern_full.py). The COCO table puts each method's published COCO mAP beside ours (sources
# under the table, from mlrkit/data/paper/literature.json). Needs GPUs, both datasets under
# data/, checkpoints/resnet101.pth and the CSRA plugin, e.g.
#   mlrkit bench configs/full_scale/comparison_modern.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/comparison_modern.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
from mmengine.config import read_base

with read_base():
    from ..comparison_modern import *  # noqa: I001
    from .._base_.bench_full_scale import *

TABLE = bench.tables[0]
# configs/comparison_modern.py on the full-scale experiments: its heads (run in the table's row
# order), its table with COCO's columns and VOC's mAP.
bench = dict(
    FULL_SCALE,
    name="comparison_modern_full_scale",
    variants=[
        dict(name="pooled", base="../{dataset}/pooled_r101_448_modern.py"),
        dict(name="ML-GCN", base="../{dataset}/mlgcn_r101_448_modern.py"),
        dict(name="Deep-LIFT (AGCN)", base="../{dataset}/deeplift_agcn_r101_448_modern.py"),
        dict(name="CSRA", base="../{dataset}/csra_r101_448_modern.py"),
        dict(name="Query2Label", base="../{dataset}/query2label_r101_448.py"),
        dict(name="ML-Decoder", base="../{dataset}/ml_decoder_r101_448.py"),
        dict(name="ADD-GCN", base="../{dataset}/add_gcn_r101_448.py"),
    ],
    tables=[
        dict(
            TABLE,
            title="Heads under one recipe: modern recipe, MS-COCO 2014 and PASCAL VOC2007",
            columns=[dict(c, header=f"COCO {c.metric}", dataset="coco") for c in TABLE.columns]
            + [dict(metric="mAP", header="VOC mAP", dataset="voc")],
        ),
    ],
)
