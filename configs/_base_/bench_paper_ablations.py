# The paper setting and the columns of the paper's ablation tables (III to VI) in the benches
# that regenerate them: on the built-in data (configs/*.py) our figures stand beside the paper's
# MS-COCO ones; at full scale (configs/full_scale/*.py) COCO's figures and VOC2007's mAP stand
# beside the paper's.
METRICS = ("mAP", "CF1", "OF1", "CF1@3", "OF1@3")
ABLATION_TABLE = dict(
    paper_setting="MS-COCO 2014, ResNet-101 (ImageNet) at 448x448; its VOC mAP column is left out",
    columns=[dict(metric=m, paper=f"COCO {m}") for m in METRICS],
)
ABLATION_TABLE_FULL_SCALE = dict(
    paper_setting="MS-COCO 2014 and PASCAL VOC2007, ResNet-101 (ImageNet) at 448x448",
    columns=[dict(metric=m, header=f"COCO {m}", paper=f"COCO {m}", dataset="coco") for m in METRICS]
    + [dict(metric="mAP", header="VOC mAP", paper="VOC mAP", dataset="voc")],
)
