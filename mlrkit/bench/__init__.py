"""mlrkit.bench: regenerate the paper's tables and figures from a bench config.

Plan (:mod:`~mlrkit.bench.spec`), execute (:mod:`~mlrkit.bench.execute`), report
(:mod:`~mlrkit.bench.report`): see docs/architecture.md, "Bench". The submodules are imported
on use, not here: a worker process needs neither tabulate nor matplotlib, and nothing in this
package registers components. (The CLI imports the one class here, a warning category,
without importing torch.)
"""


class BenchResultWarning(UserWarning):
    """A result file holds something other than a result; the run is shown as failed."""
