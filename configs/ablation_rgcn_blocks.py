# Paper Table VI: number of residual blocks of the Residual-GCN label encoder (1 to 4, each
# 512 -> 1024 -> 1024 -> 1024 -> D), on the Deep-LIFT head, on the built-in data.
#   mlrkit bench configs/ablation_rgcn_blocks.py [--quick]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_rgcn_blocks.py.
QUICK = {
    "train_dataloader.dataset.num_samples": 640,
    "val_dataloader.dataset.num_samples": 256,
    "test_dataloader.dataset.num_samples": 256,
    "train_cfg.max_epochs": 2,
    "train_cfg.val_interval": 2,
}
bench = dict(
    base="synthetic/deeplift_rgcn.py",
    seeds=[0],
    variants=[
        dict(name="1-block", overrides={"model.encoder.num_blocks": 1}),
        dict(name="2-block", overrides={"model.encoder.num_blocks": 2}),
        dict(name="3-block", overrides={"model.encoder.num_blocks": 3}),
        dict(name="4-block", overrides={"model.encoder.num_blocks": 4}),
    ],
    quick=dict(overrides=QUICK),
    tables=[
        dict(
            name="table_VI",
            title="Table VI: number of RGCN residual blocks",
            paper="table_VI_rgcn_blocks",
            paper_setting="MS-COCO 2014, ResNet-101 (ImageNet) at 448x448; its VOC mAP "
            "column is left out",
            row_header="RGCN",
            rows=[
                dict(variant="1-block", paper="1-block"),
                dict(variant="2-block", paper="2-block"),
                dict(variant="3-block", paper="3-block"),
                dict(variant="4-block", paper="4-block"),
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
