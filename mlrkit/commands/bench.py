"""``mlrkit bench CONFIG``: run a bench config's grid and render its tables beside the paper's."""

from __future__ import annotations

import argparse
import sys

from mlrkit.commands import _args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="run a grid of variants (each run its own process) and render the paper's tables",
        description="Run every (variant, seed) of a bench config that has no result yet, then "
        "render its tables (Markdown printed; Markdown, LaTeX, CSV saved) and figures beside "
        "the paper's values. Safe to interrupt and re-run.",
    )
    p.add_argument("config", help="bench config, e.g. configs/ablation_gcn.py")
    _args.add_work_dir(p, "where runs, results and tables go (default: work_dirs/bench/<name>)")
    p.add_argument(
        "--jobs", type=int, help="runs at once (default: CPU cores, or GPUs, per run process)"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="CPU threads per run process (default: 1). Fixed, whatever --jobs is: a run's "
        "numbers depend on it, so it is part of each run's fingerprint",
    )
    p.add_argument("--seeds", type=int, nargs="+", metavar="SEED", help="seeds to run")
    p.add_argument(
        "--quick", action="store_true", help="the config's quick settings (a smoke bench)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="check the config and print the plan; run nothing"
    )
    p.add_argument(
        "--format",
        default="md,tex,csv",
        help="table formats to save, comma-separated from md, tex, csv (default: all)",
    )
    p.add_argument(
        "--retry-failed", action="store_true", help="run failed runs again (default: keep them)"
    )
    _args.add_launcher(
        p, "none: one process per run; pytorch: torch.distributed.run per run; slurm: sbatch"
    )
    p.add_argument("--nproc-per-node", type=int, default=1, help="processes (ranks) per run")
    p.add_argument("--slurm-partition", help="sbatch --partition")
    p.add_argument("--slurm-time", help="sbatch --time, e.g. 24:00:00")
    p.add_argument("--slurm-gpus-per-task", type=int, default=1, help="GPUs per rank (0: CPU)")
    p.add_argument("--slurm-cpus-per-task", type=int, default=8, help="CPUs per rank")
    p.add_argument(
        "--slurm-extra",
        action="append",
        default=[],
        metavar="OPTION",
        help="another #SBATCH option, e.g. --slurm-extra=--account=vision (repeatable)",
    )
    _args.add_cfg_options(p, "override config entries of every variant (keys must exist)")
    _args.add_debug(p)
    p.set_defaults(func=run, before_plugins=start_workers_server)


def start_workers_server(args: argparse.Namespace) -> None:
    """Start the server local workers fork from, first thing: its imports overlap the CLI's
    own and the planning (a bench that fails its checks leaves it unused)."""
    if args.launcher == "none" and not args.dry_run:
        from mlrkit.bench.launch import start_worker_server

        start_worker_server(args.threads)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlrkit.bench.execute import BenchOptions, default_work_dir, describe_plan, run_bench
    from mlrkit.bench.launch import LaunchOptions, SlurmOptions
    from mlrkit.bench.layout import BenchLockedError
    from mlrkit.bench.spec import load_bench

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    launch = LaunchOptions(
        launcher=args.launcher,
        nproc_per_node=args.nproc_per_node,
        slurm=SlurmOptions(
            partition=args.slurm_partition,
            time=args.slurm_time,
            gpus_per_task=args.slurm_gpus_per_task,
            cpus_per_task=args.slurm_cpus_per_task,
            extra=list(args.slurm_extra),
        ),
    )
    plan = load_bench(
        args.config,
        quick=args.quick,
        seeds=args.seeds,
        cfg_options=args.cfg_options,
        threads=args.threads,
    )
    options = BenchOptions(
        work_dir=Path(args.work_dir) if args.work_dir else default_work_dir(plan),
        jobs=args.jobs,
        launch=launch,
        formats=formats,
        retry_failed=args.retry_failed,
    )
    if args.dry_run:
        print(describe_plan(plan, options))
        return 0
    try:
        return run_bench(plan, options)
    except BenchLockedError as err:
        print(f"mlrkit bench: error: {err}", file=sys.stderr)
        return 1
