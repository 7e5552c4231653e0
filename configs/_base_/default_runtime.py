# Runtime every mlrkit experiment shares: hooks, logging, checkpoints (best mAP kept), seed.
from mmengine.hooks import (
                            CheckpointHook,
                            DistSamplerSeedHook,
                            IterTimerHook,
                            LoggerHook,
                            ParamSchedulerHook,
)
from mmengine.runner import LogProcessor

default_scope = "mlrkit"

default_hooks = dict(
    timer=dict(type=IterTimerHook),
    logger=dict(type=LoggerHook, interval=50),
    param_scheduler=dict(type=ParamSchedulerHook),
    checkpoint=dict(type=CheckpointHook, interval=1, save_best="multilabel/mAP", rule="greater",
                    max_keep_ckpts=2),
    sampler_seed=dict(type=DistSamplerSeedHook),
)
# NaNLossHook, SyncBNBuffersHook, RunInfoHook and ProgressBarHook are added to every run.
custom_hooks = []

env_cfg = dict(cudnn_benchmark=False)  # dist backend: nccl on GPUs, gloo on CPUs (automatic)
log_processor = dict(type=LogProcessor, window_size=20, by_epoch=True)
log_level = "INFO"
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
# Model selection (docs/protocol.md) is set by each dataset config, with its splits: `protocol`
# "held_out" (the default: select on val, report test) or "paper" (select on test).
