# What `mlrkit bench CONFIG --quick` shrinks in the built-in benches (configs/*.py, configs/
# plugins/csra_vs_deeplift.py): smoke-test data sizes and two epochs, validated once at the end.
# A bench that differs says so where it uses these (a subset of the variants or seeds, another
# validation interval, a train size of its own).
QUICK = dict(
    overrides={
        "train_dataloader.dataset.num_samples": 640,
        "val_dataloader.dataset.num_samples": 256,
        "test_dataloader.dataset.num_samples": 256,
        "train_cfg.max_epochs": 2,
        "train_cfg.val_interval": 2,
    }
)
