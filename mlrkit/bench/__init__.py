"""mlrkit.bench: regenerate the paper's tables and figures from a bench config.

A bench config (see docs/architecture.md, "Bench") names a base experiment, an explicit list of
variants (overrides of it), the seeds, and the tables and figures to render beside the paper's
printed values. Plan: :mod:`~mlrkit.bench.spec` loads and checks it into a plan of runs, each
with its resolved config. Execute: :mod:`~mlrkit.bench.execute` runs each (variant, seed) as its
own process (:mod:`~mlrkit.bench.worker`), locally, under ``torch.distributed.run`` or through
Slurm (:mod:`~mlrkit.bench.launch`), in the folders :mod:`~mlrkit.bench.layout` names. Report:
:mod:`~mlrkit.bench.report` reads the results (:mod:`~mlrkit.bench.results`) and renders them
with :mod:`~mlrkit.bench.tables` and :mod:`~mlrkit.bench.plots` as Markdown, LaTeX, CSV and PNG.

The submodules are imported on use, not here: a worker process needs neither tabulate nor
matplotlib, and nothing in this package registers components. (The CLI imports the one
class here, a warning category, without importing torch.)
"""


class BenchResultWarning(UserWarning):
    """A result file holds something other than a result; the run is shown as failed."""
