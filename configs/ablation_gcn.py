# Paper Table III: the label encoder under the Deep-LIFT head (GCN, RGCN, Weighted-GCN, AGCN),
# on the built-in data (SyntheticScenes with VOC2007 label statistics; configs/synthetic/*).
# The paper's columns are its MS-COCO figures (and VOC mAP); on the built-in data our mAP, CF1,
# OF1, CF1@3 and OF1@3 stand beside the paper's COCO values, with the two oracle ceilings.
#   mlrkit bench configs/ablation_gcn.py            (4-7 min on 2 cores)
#   mlrkit bench configs/ablation_gcn.py --quick    (a smoke bench, about 30 s)
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_gcn.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_paper_ablations import *
    from ._base_.bench_quick import *

bench = dict(
    base="synthetic/deeplift_agcn.py",
    seeds=[0],
    variants=[
        # ML-GCN's GCN on its re-weighted graph, at the paper's tau 0.5
        dict(
            name="GCN",
            overrides={
                "model.encoder.type": "GCNEncoder",
                "model.encoder.graph.kind": "reweighted",
            },
        ),
        dict(name="RGCN", base="synthetic/deeplift_rgcn.py"),
        dict(
            name="Weighted-GCN",
            overrides={
                "model.encoder.type": "WeightedGCNEncoder",
                "model.encoder.graph.kind": "cosine",
            },
        ),
        dict(name="AGCN"),
    ],
    quick=QUICK,
    tables=[
        dict(
            name="table_III",
            title="Table III: label encoder on the Deep-LIFT head",
            paper="table_III_gcn_type",
            **ABLATION_TABLE,  # paper_setting, columns
            row_header="Encoder",
            rows=[
                dict(variant="GCN", paper="Original-GCN"),
                dict(variant="RGCN", paper="Residual-GCN"),
                dict(variant="Weighted-GCN", paper="Weighted-GCN"),
                dict(variant="AGCN", paper="Attention-GCN"),
            ],
        )
    ],
)
