# Paper Tables I and II: the pooled baseline, ML-GCN with the binary and the re-weighted graph,
# and Deep-LIFT with the RGCN and AGCN encoders, on the built-in data (SyntheticScenes with
# VOC2007 label statistics, so its 20 classes are VOC's and Table II's per-class AP maps).
# Table I's printed values are the paper's MS-COCO figures; Table II's its VOC2007 ones.
#   mlrkit bench configs/comparison.py [--quick]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/comparison.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_quick import *

ROWS = [
    dict(variant="pooled", paper="ResNet-101"),
    dict(variant="ML-GCN (binary)", paper="ML-GCN(Binary)"),
    dict(variant="ML-GCN (re-weighted)", paper="ML-GCN(Re-weighted)"),
    dict(variant="Deep-LIFT (RGCN)", paper="Deep-LIFT(RGCN)"),
    dict(variant="Deep-LIFT (AGCN)", paper="Deep-LIFT(AGCN)"),
]
bench = dict(
    seeds=[0],
    variants=[
        dict(name="pooled", base="synthetic/pooled.py"),
        dict(
            name="ML-GCN (binary)",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary"},
        ),
        dict(name="ML-GCN (re-weighted)", base="synthetic/mlgcn.py"),
        dict(name="Deep-LIFT (RGCN)", base="synthetic/deeplift_rgcn.py"),
        dict(name="Deep-LIFT (AGCN)", base="synthetic/deeplift_agcn.py"),
    ],
    quick=QUICK,
    tables=[
        dict(
            name="table_I",
            title="Table I: comparison (all 13 figures)",
            paper="table_I_coco_comparison",
            paper_setting="MS-COCO 2014, ResNet-101 (ImageNet) at 448x448",
            row_header="Method",
            rows=ROWS,
            columns=[
                dict(metric=m, paper=m)
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
            title="Table II: per-class AP (VOC2007 classes)",
            paper="table_II_voc2007_per_class_ap",
            paper_setting="PASCAL VOC2007 test, ResNet-101 (ImageNet) at 448x448",
            row_header="Method",
            rows=ROWS,
            columns=[
                dict(metric=f"AP/{cls}", header=short, paper=short)
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
            + [dict(metric="mAP", paper="mAP")],
        ),
    ],
)
