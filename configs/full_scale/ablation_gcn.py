# Full-scale sibling of configs/ablation_gcn.py: paper Table III (label encoder)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*), one run per variant, dataset and seed. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
#   mlrkit bench configs/full_scale/ablation_gcn.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/ablation_gcn.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/ablation_gcn.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
bench = dict(
    name="ablation_gcn_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    base="../{dataset}/deeplift_agcn_r101_448.py",
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
        dict(name="RGCN", base="../{dataset}/deeplift_rgcn_r101_448.py"),
        dict(
            name="Weighted-GCN",
            overrides={
                "model.encoder.type": "WeightedGCNEncoder",
                "model.encoder.graph.kind": "cosine",
            },
        ),
        dict(name="AGCN"),
    ],
    tables=[
        dict(
            name="table_III",
            title="Table III: label encoder on the Deep-LIFT head",
            paper="table_III_gcn_type",
            paper_setting="MS-COCO 2014 and PASCAL VOC2007, ResNet-101 (ImageNet) at 448x448",
            row_header="Encoder",
            rows=[
                dict(variant="GCN", paper="Original-GCN"),
                dict(variant="RGCN", paper="Residual-GCN"),
                dict(variant="Weighted-GCN", paper="Weighted-GCN"),
                dict(variant="AGCN", paper="Attention-GCN"),
            ],
            columns=[
                dict(metric="mAP", header="COCO mAP", paper="COCO mAP", dataset="coco"),
                dict(metric="CF1", header="COCO CF1", paper="COCO CF1", dataset="coco"),
                dict(metric="OF1", header="COCO OF1", paper="COCO OF1", dataset="coco"),
                dict(metric="CF1@3", header="COCO CF1@3", paper="COCO CF1@3", dataset="coco"),
                dict(metric="OF1@3", header="COCO OF1@3", paper="COCO OF1@3", dataset="coco"),
                dict(metric="mAP", header="VOC mAP", paper="VOC mAP", dataset="voc"),
            ],
        )
    ],
)
