# Paper Table V: depth of the Attention-GCN label encoder, 2 to 5 layers with the paper's widths
# (1024 | 512, 1024 | 512, 1024, 1024 | 512, 1024, 1024, 1024, then the backbone's D), on the
# Deep-LIFT head, on the built-in data.
#   mlrkit bench configs/ablation_agcn_layers.py [--quick]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_agcn_layers.py.
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
        dict(name="2-layer", overrides={"model.encoder.hidden_dims": [1024]}),
        dict(name="3-layer", overrides={"model.encoder.hidden_dims": [512, 1024]}),
        dict(name="4-layer", overrides={"model.encoder.hidden_dims": [512, 1024, 1024]}),
        dict(name="5-layer", overrides={"model.encoder.hidden_dims": [512, 1024, 1024, 1024]}),
    ],
    quick=dict(overrides=QUICK),
    tables=[
        dict(
            name="table_V",
            title="Table V: number of AGCN layers",
            paper="table_V_agcn_layers",
            paper_setting="MS-COCO 2014, ResNet-101 (ImageNet) at 448x448; its VOC mAP "
            "column is left out",
            row_header="AGCN",
            rows=[
                dict(variant="2-layer", paper="2-layer"),
                dict(variant="3-layer", paper="3-layer"),
                dict(variant="4-layer", paper="4-layer"),
                dict(variant="5-layer", paper="5-layer"),
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
