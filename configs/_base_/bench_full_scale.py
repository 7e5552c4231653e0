# What the full-scale benches (configs/full_scale/*.py) share besides the built-in bench each
# derives from: the data axis ({dataset} in a base config's path is coco or voc2007) and one
# seed. Their base configs are ResNet-101 (ImageNet weights) at 448x448 (configs/coco/*,
# configs/voc2007/*, configs/modern/*, configs/plugins/csra_*_r101_448.py).
FULL_SCALE = dict(datasets=dict(coco="coco", voc="voc2007"), seeds=[0])
# The built-in experiments' full-scale counterparts under the paper's recipe, as paths from
# configs/full_scale/.
R101_448 = {
    "synthetic/pooled.py": "../{dataset}/pooled_r101_448.py",
    "synthetic/mlgcn.py": "../{dataset}/mlgcn_r101_448.py",
    "synthetic/deeplift_agcn.py": "../{dataset}/deeplift_agcn_r101_448.py",
    "synthetic/deeplift_rgcn.py": "../{dataset}/deeplift_rgcn_r101_448.py",
    "synthetic/deeplift_official.py": "../{dataset}/deeplift_official_r101_448.py",
}
