# Full-scale sibling of configs/ablation_cam.py: paper Table IV (CAM variant)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*), one run per variant, dataset and seed. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
#   mlrkit bench configs/full_scale/ablation_cam.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/ablation_cam.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/ablation_cam.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
bench = dict(
    name="ablation_cam_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    base="../{dataset}/deeplift_agcn_r101_448.py",
    seeds=[0],
    variants=[
        dict(name="none", overrides={"model.head.cam": "none"}),
        dict(name="avg", overrides={"model.head.cam": "avg"}),
        dict(name="max", overrides={"model.head.cam": "max"}),
        dict(name="avg+max", overrides={"model.head.cam": "avg+max"}),
    ],
    tables=[
        dict(
            name="table_IV",
            title="Table IV: channel attention (CAM) of the Deep-LIFT head",
            paper="table_IV_cam",
            paper_setting="MS-COCO 2014 and PASCAL VOC2007, ResNet-101 (ImageNet) at 448x448",
            row_header="CAM",
            rows=[
                dict(variant="none", paper="Ours without CAM"),
                dict(variant="avg", paper="Ours+AvgPool"),
                dict(variant="max", paper="Ours+MaxPool"),
                dict(variant="avg+max", paper="Ours+AvgPool+MaxPool"),
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
