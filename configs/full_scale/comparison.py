# Full-scale sibling of configs/comparison.py: paper Tables I (COCO) and II (VOC2007)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*; the ML-GCN rows with ML-GCN's own recipe,
# configs/_base_/schedules/mlgcn_sgd.py), one run per variant, dataset and seed. Backbone
# weights: torchvision's ImageNet ResNet-101 (timm `resnet101.tv_in1k`), as both papers; a
# stronger timm tag makes the table incomparable with the paper's. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
#   mlrkit bench configs/full_scale/comparison.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/comparison.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/comparison.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
ROWS = [
    dict(variant="pooled", paper="ResNet-101"),
    dict(variant="ML-GCN (binary)", paper="ML-GCN(Binary)"),
    dict(variant="ML-GCN (re-weighted)", paper="ML-GCN(Re-weighted)"),
    dict(variant="Deep-LIFT (RGCN)", paper="Deep-LIFT(RGCN)"),
    dict(variant="Deep-LIFT (AGCN)", paper="Deep-LIFT(AGCN)"),
]
bench = dict(
    name="comparison_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    seeds=[0],
    variants=[
        dict(name="pooled", base="../{dataset}/pooled_r101_448.py"),
        dict(
            name="ML-GCN (binary)",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary"},
        ),
        dict(name="ML-GCN (re-weighted)", base="../{dataset}/mlgcn_r101_448.py"),  # its recipe
        dict(name="Deep-LIFT (RGCN)", base="../{dataset}/deeplift_rgcn_r101_448.py"),
        dict(name="Deep-LIFT (AGCN)", base="../{dataset}/deeplift_agcn_r101_448.py"),
    ],
    tables=[
        dict(
            name="table_I",
            title="Table I: comparison (all 13 figures)",
            paper="table_I_coco_comparison",
            paper_setting="MS-COCO 2014, ResNet-101 (ImageNet) at 448x448",
            row_header="Method",
            rows=ROWS,
            cited=True,  # the methods the paper cites (WARP, CNN-RNN, ...), as printed
            columns=[
                dict(metric=m, paper=m, dataset="coco")
                for m in (
                    "mAP",
                    "CP",
                    "CR",
                    "CF1",
                    "OP",
                    "OR",
                    "OF1",
                    "CP@3",
                    "CR@3",
                    "CF1@3",
                    "OP@3",
                    "OR@3",
                    "OF1@3",
                )
            ],
        ),
        dict(
            name="table_II",
            title="Table II: per-class AP on VOC2007",
            paper="table_II_voc2007_per_class_ap",
            paper_setting="PASCAL VOC2007 test, ResNet-101 (ImageNet) at 448x448",
            row_header="Method",
            rows=ROWS,
            cited=True,  # the methods the paper cites (WARP, CNN-RNN, ...), as printed
            columns=[
                dict(metric=f"AP/{cls}", header=short, paper=short, dataset="voc")
                for short, cls in (
                    ("aero", "aeroplane"),
                    ("bike", "bicycle"),
                    ("bird", "bird"),
                    ("boat", "boat"),
                    ("bottle", "bottle"),
                    ("bus", "bus"),
                    ("car", "car"),
                    ("cat", "cat"),
                    ("chair", "chair"),
                    ("cow", "cow"),
                    ("table", "diningtable"),
                    ("dog", "dog"),
                    ("horse", "horse"),
                    ("motor", "motorbike"),
                    ("person", "person"),
                    ("plant", "pottedplant"),
                    ("sheep", "sheep"),
                    ("sofa", "sofa"),
                    ("train", "train"),
                    ("tv", "tvmonitor"),
                )
            ]
            + [dict(metric="mAP", paper="mAP", dataset="voc")],
        ),
    ],
)
