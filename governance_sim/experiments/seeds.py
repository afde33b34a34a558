"""Seeds of a sweep: each run's seed derives from the sweep seed and its run id.

``SeedSequence(sweep_seed, spawn_key=(run_id,))`` is the ``run_id``-th child of
``SeedSequence(sweep_seed).spawn(...)``, computed on its own — so a run gets
the same seed whether it runs first or last, here or on a cluster, and runs
get statistically independent streams.
"""

from __future__ import annotations

import numpy as np

MAX_SEED = 2**32 - 1


def run_seed(sweep_seed: int, run_id: int) -> int:
    """The seed of run ``run_id`` in a sweep seeded with ``sweep_seed``."""
    seq = np.random.SeedSequence(int(sweep_seed), spawn_key=(int(run_id),))
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def run_seeds(sweep_seed: int, run_ids) -> list[int]:
    return [run_seed(sweep_seed, r) for r in run_ids]
