# Deep-LIFT (AGCN) on the built-in dataset in the partial-label setting: every training label,
# positive or negative, is hidden with probability 0.5 (label_drop; deterministic from the data
# seed). Hidden labels are unknown: masked out of the loss, and the label graph counts only
# known entries (P_ij = M_ij / D_ij, docs/datasets.md). The test split stays fully labelled.
from mmengine.config import read_base

with read_base():
    from .deeplift_agcn import *

train_dataloader.dataset.label_drop = 0.5
