# Full-scale sibling of configs/ablation_rgcn_blocks.py: paper Table VI (RGCN blocks)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*), one run per variant, dataset and seed. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
#   mlrkit bench configs/full_scale/ablation_rgcn_blocks.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/ablation_rgcn_blocks.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/ablation_rgcn_blocks.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
bench = dict(
    name="ablation_rgcn_blocks_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    base="../{dataset}/deeplift_rgcn_r101_448.py",
    seeds=[0],
    variants=[
        dict(name="1-block", overrides={"model.encoder.num_blocks": 1}),
        dict(name="2-block", overrides={"model.encoder.num_blocks": 2}),
        dict(name="3-block", overrides={"model.encoder.num_blocks": 3}),
        dict(name="4-block", overrides={"model.encoder.num_blocks": 4}),
    ],
    tables=[
        dict(
            name="table_VI",
            title="Table VI: number of RGCN residual blocks",
            paper="table_VI_rgcn_blocks",
            paper_setting="MS-COCO 2014 and PASCAL VOC2007, ResNet-101 (ImageNet) at 448x448",
            row_header="RGCN",
            rows=[
                dict(variant="1-block", paper="1-block"),
                dict(variant="2-block", paper="2-block"),
                dict(variant="3-block", paper="3-block"),
                dict(variant="4-block", paper="4-block"),
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
