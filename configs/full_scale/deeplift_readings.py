# Full-scale sibling of configs/deeplift_readings.py: Deep-LIFT as the paper's text describes
# it and as the official code computes it (docs/conventions.md), on MS-COCO 2014 and PASCAL
# VOC2007 with ResNet-101 (torchvision ImageNet weights, timm `resnet101.tv_in1k`) at 448x448
# and the paper's SGD schedule, one run per reading, dataset and seed. Needs GPUs, both
# datasets under data/ and checkpoints/resnet101.pth, e.g.
#   mlrkit bench configs/full_scale/deeplift_readings.py --jobs 4   # one GPU per run
bench = dict(
    name="deeplift_readings_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    seeds=[0],
    variants=[
        dict(name="paper text", base="../{dataset}/deeplift_agcn_r101_448.py"),
        dict(name="official code", base="../{dataset}/deeplift_official_r101_448.py"),
    ],
    tables=[
        dict(
            name="readings",
            title="Deep-LIFT: the paper's text against the official code",
            paper="table_III_gcn_type",
            paper_setting="MS-COCO 2014 and PASCAL VOC2007, ResNet-101 (ImageNet) at 448x448",
            row_header="Reading",
            rows=[
                dict(variant="paper text", paper="Attention-GCN"),
                dict(variant="official code"),
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
