"""mlrkit.bench: regenerate the paper's tables and figures from a bench config.

A bench config (see docs/architecture.md, "Bench") names a base experiment, an explicit list of
variants (overrides of it), the seeds, and the tables and figures to render beside the paper's
printed values. :mod:`~mlrkit.bench.spec` loads and checks it into a plan of runs;
:mod:`~mlrkit.bench.runner` runs each (variant, seed) as its own process
(:mod:`~mlrkit.bench.worker`), locally, under ``torch.distributed.run`` or through Slurm
(:mod:`~mlrkit.bench.launch`); :mod:`~mlrkit.bench.results`, :mod:`~mlrkit.bench.tables` and
:mod:`~mlrkit.bench.plots` turn the result JSONs into Markdown, LaTeX, CSV and PNG.

The submodules are imported on use, not here: a worker process needs neither tabulate nor
matplotlib, and nothing in this package registers components.
"""
