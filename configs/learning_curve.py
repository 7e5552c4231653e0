# Does a label graph help when labelled data is scarce? Test mAP against the number of training
# images (500, 1,000, 2,000, 5,000: the first n scenes of the train split) for the pooled
# baseline, ML-GCN (re-weighted graph) and Deep-LIFT (AGCN) on the built-in data, under each
# one's built-in configuration (8 epochs, so fewer images also mean fewer iterations), with the
# two oracle ceilings of each train size (the context oracle is fitted on the same n images).
# Held-out protocol; val and test splits are the same for every n. The figure goes to
# <work dir>/figures/learning_curve.{png,csv,md}.
#   mlrkit bench configs/learning_curve.py           (12 runs, about 10 min on 2 free cores)
#   mlrkit bench configs/learning_curve.py --quick   (a smoke bench: 2 runs)
from mmengine.config import read_base

with read_base():
    from ._base_.bench_quick import *

SIZES = (500, 1000, 2000, 5000)
SERIES = [
    # (variant prefix, legend label, base experiment)
    ("pooled", "pooled", "synthetic/pooled.py"),
    ("mlgcn", "ML-GCN (re-weighted)", "synthetic/mlgcn.py"),
    ("deeplift-agcn", "Deep-LIFT (AGCN)", "synthetic/deeplift_agcn.py"),
]
bench = dict(
    seeds=[0],
    variants=[
        dict(
            name=f"{prefix}_n{n}",
            base=base,
            overrides={"train_dataloader.dataset.num_samples": n},
        )
        for prefix, _, base in SERIES
        for n in SIZES
    ],
    quick=dict(
        # the variants set the train size
        overrides={
            k: v for k, v in QUICK.overrides.items() if k != "train_dataloader.dataset.num_samples"
        },
        variants=["pooled_n500", "mlgcn_n500"],
    ),
    figures=[
        dict(
            name="learning_curve",
            title="Test mAP against the number of training images",
            metric="mAP",
            x_label="training images",
            series=[
                dict(label=label, points=[[n, f"{prefix}_n{n}"] for n in SIZES])
                for prefix, label, _ in SERIES
            ],
        )
    ],
)
