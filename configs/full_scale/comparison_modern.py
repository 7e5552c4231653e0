# Full-scale sibling of configs/comparison_modern.py: pooled, ML-GCN (re-weighted), Deep-LIFT
# (AGCN), CSRA (the authors' settings: 4 heads, lambda 0.5 on COCO; 1 head, lambda 0.1 on VOC),
# Query2Label, ML-Decoder and ADD-GCN on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101
# (ImageNet weights) at 448x448, all under the modern recipe (configs/_base_/schedules/
# modern_full.py). The COCO table puts each method's published COCO mAP beside ours (sources
# under the table, from mlrkit/data/paper/literature.json). Needs GPUs, both datasets under
# data/, checkpoints/resnet101.pth and the CSRA plugin, e.g.
#   mlrkit bench configs/full_scale/comparison_modern.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/comparison_modern.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
ROWS = [
    dict(variant="pooled", paper="ResNet-101 (avg pool)"),
    dict(variant="ML-GCN", paper="ML-GCN"),
    dict(variant="Deep-LIFT (AGCN)", paper="Deep-LIFT (AGCN)"),
    dict(variant="CSRA", paper="CSRA (4 heads)"),
    dict(variant="Query2Label", paper="Query2Label"),
    dict(variant="ML-Decoder", paper="ML-Decoder (TResNet-L)"),
    dict(variant="ADD-GCN", paper="ADD-GCN"),
]
bench = dict(
    name="comparison_modern_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    seeds=[0],
    variants=[
        dict(name="pooled", base="../{dataset}/pooled_r101_448_modern.py"),
        dict(name="ML-GCN", base="../{dataset}/mlgcn_r101_448_modern.py"),
        dict(name="Deep-LIFT (AGCN)", base="../{dataset}/deeplift_agcn_r101_448_modern.py"),
        dict(name="CSRA", base="../{dataset}/csra_r101_448_modern.py"),
        dict(name="Query2Label", base="../{dataset}/query2label_r101_448.py"),
        dict(name="ML-Decoder", base="../{dataset}/ml_decoder_r101_448.py"),
        dict(name="ADD-GCN", base="../{dataset}/add_gcn_r101_448.py"),
    ],
    tables=[
        dict(
            name="comparison_modern",
            title="Heads under one recipe: modern recipe, MS-COCO 2014 and PASCAL VOC2007",
            paper="literature_coco_map",
            paper_setting=(
                "MS-COCO 2014, ResNet-101 (ImageNet) at 448x448 (ML-Decoder: TResNet-L), each "
                "method's own recipe and protocol"
            ),
            row_header="Method",
            rows=ROWS,
            columns=[
                dict(metric="mAP", header="COCO mAP", paper="mAP", dataset="coco"),
                dict(metric="CF1", header="COCO CF1", dataset="coco"),
                dict(metric="OF1", header="COCO OF1", dataset="coco"),
                dict(metric="CF1@3", header="COCO CF1@3", dataset="coco"),
                dict(metric="OF1@3", header="COCO OF1@3", dataset="coco"),
                dict(metric="mAP", header="VOC mAP", dataset="voc"),
            ],
        ),
    ],
)
