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
            name="comparison_modern_coco",
            title="Heads under one recipe: modern recipe, MS-COCO 2014",
            paper="literature_coco_map",
            paper_setting="published MS-COCO 2014 results of each method under its own recipe",
            row_header="Method",
            rows=ROWS,
            columns=[
                dict(metric=m, paper="mAP" if m == "mAP" else None, dataset="coco")
                for m in ("mAP", "CF1", "OF1", "CF1@3", "OF1@3")
            ],
        ),
        dict(
            name="comparison_modern_voc2007",
            title="Heads under one recipe: modern recipe, PASCAL VOC2007",
            paper=None,
            row_header="Method",
            rows=[dict(variant=r["variant"]) for r in ROWS],
            columns=[
                dict(metric=m, dataset="voc") for m in ("mAP", "CF1", "OF1", "CF1@3", "OF1@3")
            ],
        ),
    ],
)
