# Paper Table IV: the channel-attention module (CAM, eq. 6) of the Deep-LIFT head: none, average
# pooling only, max pooling only, both (the default), with the AGCN encoder, on the built-in data.
#   mlrkit bench configs/ablation_cam.py [--quick]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_cam.py.
QUICK = {
    "train_dataloader.dataset.num_samples": 640,
    "val_dataloader.dataset.num_samples": 256,
    "test_dataloader.dataset.num_samples": 256,
    "train_cfg.max_epochs": 2,
    "train_cfg.val_interval": 2,
}
bench = dict(
    base="synthetic/deeplift_agcn.py",
    seeds=[0],
    variants=[
        dict(name="none", overrides={"model.head.cam": "none"}),
        dict(name="avg", overrides={"model.head.cam": "avg"}),
        dict(name="max", overrides={"model.head.cam": "max"}),
        dict(name="avg+max", overrides={"model.head.cam": "avg+max"}),
    ],
    quick=dict(overrides=QUICK),
    tables=[
        dict(
            name="table_IV",
            title="Table IV: channel attention (CAM) of the Deep-LIFT head",
            paper="table_IV_cam",
            paper_setting="MS-COCO 2014, ResNet-101 (ImageNet) at 448x448; its VOC mAP "
            "column is left out",
            row_header="CAM",
            rows=[
                dict(variant="none", paper="Ours without CAM"),
                dict(variant="avg", paper="Ours+AvgPool"),
                dict(variant="max", paper="Ours+MaxPool"),
                dict(variant="avg+max", paper="Ours+AvgPool+MaxPool"),
            ],
            columns=[
                dict(metric="mAP", paper="COCO mAP"),
                dict(metric="CF1", paper="COCO CF1"),
                dict(metric="OF1", paper="COCO OF1"),
                dict(metric="CF1@3", paper="COCO CF1@3"),
                dict(metric="OF1@3", paper="COCO OF1@3"),
            ],
        )
    ],
)
