# Full-scale sibling of configs/ablation_tau.py: paper Figure 6 (mAP against tau)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*), one run per variant, dataset and seed. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
# (80 runs)
#   mlrkit bench configs/full_scale/ablation_tau.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/ablation_tau.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/ablation_tau.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
from mmengine.config import read_base

with read_base():
    from ..ablation_tau import *  # noqa: I001
    from .._base_.bench_full_scale import *

# configs/ablation_tau.py on the full-scale experiments: its variants, its figure once per
# dataset.
bench = dict(
    FULL_SCALE,
    name="ablation_tau_full_scale",
    variants=[dict(v, base=R101_448[v.base]) for v in bench.variants],
    figures=[
        dict(
            bench.figures[0],
            name=f"figure_6_{dataset}",
            title=f"Figure 6: mAP against tau on {title}",
            dataset=dataset,
        )
        for dataset, title in (("coco", "MS-COCO"), ("voc", "VOC2007"))
    ],
)
