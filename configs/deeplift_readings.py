# The two readings of Deep-LIFT side by side: the paper's text (AGCN on the tau graph, 2-layer
# pair-scoring MLP, channel attention, concatenated pooling) and the official code (complete
# graph, one-layer additive score with softmax, ReLU and biases on every layer, BatchNorm on
# the embeddings, the 2048 x 2048 projection, no channel attention, summed pooling); every
# difference is listed in docs/conventions.md. On the built-in data:
#   mlrkit bench configs/deeplift_readings.py [--quick]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/deeplift_readings.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_paper_ablations import *
    from ._base_.bench_quick import *

bench = dict(
    seeds=[0],
    variants=[
        dict(name="paper text", base="synthetic/deeplift_agcn.py"),
        dict(name="official code", base="synthetic/deeplift_official.py"),
    ],
    quick=QUICK,
    tables=[
        dict(
            name="readings",
            title="Deep-LIFT: the paper's text against the official code",
            paper="table_III_gcn_type",
            paper_setting="MS-COCO 2014, ResNet-101 (ImageNet) at 448x448",
            row_header="Reading",
            rows=[
                dict(variant="paper text", paper="Attention-GCN"),
                dict(variant="official code"),
            ],
            columns=ABLATION_TABLE.columns,
        )
    ],
)
