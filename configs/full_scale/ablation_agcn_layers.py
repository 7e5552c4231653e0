# Full-scale sibling of configs/ablation_agcn_layers.py: paper Table V (AGCN depth)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*), one run per variant, dataset and seed. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
#   mlrkit bench configs/full_scale/ablation_agcn_layers.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/ablation_agcn_layers.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/ablation_agcn_layers.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
bench = dict(
    name="ablation_agcn_layers_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    base="../{dataset}/deeplift_agcn_r101_448.py",
    seeds=[0],
    variants=[
        dict(name="2-layer", overrides={"model.encoder.hidden_dims": [1024]}),
        dict(name="3-layer", overrides={"model.encoder.hidden_dims": [512, 1024]}),
        dict(name="4-layer", overrides={"model.encoder.hidden_dims": [512, 1024, 1024]}),
        dict(name="5-layer", overrides={"model.encoder.hidden_dims": [512, 1024, 1024, 1024]}),
    ],
    tables=[
        dict(
            name="table_V",
            title="Table V: number of AGCN layers",
            paper="table_V_agcn_layers",
            paper_setting="MS-COCO 2014 and PASCAL VOC2007, ResNet-101 (ImageNet) at 448x448",
            row_header="AGCN",
            rows=[
                dict(variant="2-layer", paper="2-layer"),
                dict(variant="3-layer", paper="3-layer"),
                dict(variant="4-layer", paper="4-layer"),
                dict(variant="5-layer", paper="5-layer"),
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
