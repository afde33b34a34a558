"""A minimal SimPy model of the same district, as a speed peer for the core.

It keeps only what every discrete-event model of the case flow must do: Poisson
arrivals by category over the day, a routing delay before the first department,
departments as SimPy ``Resource``s with the scenario's headcount, lognormal
service times by category, and cross-department cases visiting their
departments one after another.  No calendar (departments work around the clock),
no discovery, reporting decisions, ratings or line work, so it is a lower bound on
the work the real model does per case: a core within a small factor of it spends
little on machinery beyond the events themselves.
"""

from __future__ import annotations

import math
import random
import time

HOURS_PER_DAY = 24.0


def peer_inputs(model) -> dict:
    """The arrivals, routing delay, headcounts and efforts of a built ``GovernanceModel``."""
    params = model.arrangement.params
    return {
        "population": model.population_size,
        "days": model.scenario.days,
        "routing_delay_h": params.escalation_delay_h + params.referral_delay_days * 8.0,
        "staff": [max(1, d.staff) for d in model.departments],
        "categories": [(c.rate_per_person_day, c.effort_mu, c.effort_sigma, c.departments)
                       for c in model.categories],
    }


def run_simpy_peer(inputs: dict, seed: int = 1) -> dict:
    """Run the peer; return cases created, events processed and wall seconds."""
    import simpy

    rnd = random.Random(seed)
    env = simpy.Environment()
    departments = [simpy.Resource(env, capacity=s) for s in inputs["staff"]]
    delay = inputs["routing_delay_h"]
    done = [0]

    def case(mu: float, sigma: float, depts: tuple[int, ...]):
        yield env.timeout(delay)
        for d in depts:
            with departments[d].request() as req:
                yield req
                yield env.timeout(rnd.lognormvariate(mu, sigma))
        done[0] += 1

    created = [0]

    def arrivals(rate: float, mu: float, sigma: float, depts: tuple[int, ...]):
        per_hour = rate * inputs["population"] / HOURS_PER_DAY
        if per_hour <= 0:
            return
        while True:
            yield env.timeout(rnd.expovariate(per_hour))
            created[0] += 1
            env.process(case(mu, sigma, depts))

    for rate, mu, sigma, depts in inputs["categories"]:
        env.process(arrivals(rate, mu, sigma, depts))
    t0 = time.perf_counter()
    env.run(until=inputs["days"] * HOURS_PER_DAY)
    wall = time.perf_counter() - t0
    return {"cases": created[0], "completed": done[0], "wall_s": wall,
            "cases_per_second": created[0] / wall if wall > 0 else math.inf}
