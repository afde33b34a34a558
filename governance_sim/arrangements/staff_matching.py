"""Posting cadres to units: by 三定 establishment, or by two-way selection (人与人相结合).

Seed 000 (褚明浩 2022): the 三定方案 「以专业性为准则,可以甄别乡镇干部的专业技能,
却无法甄别乡镇干部的能力、经验与关系等」 — posting by establishment is blind to
the desk-versus-village experience that decides how well a cadre does a job,
so :func:`random_assignment` stands for it.  片线结合 re-posts cadres
(重置干部) through 「人与人相结合的双向选择机制」: cadres choose teams and team
heads choose cadres; :func:`two_way_selection` is that choice as a
cadre-proposing deferred-acceptance match (Gale–Shapley with capacities),
where both sides judge skill fit blurred by ``noise`` (personal ties and
preferences that are not skill; an assumption).
"""

from __future__ import annotations

import numpy as np

from governance_sim.agents.township_staff import Cadre

Post = tuple[int, float]  # (capacity, village_share) of a unit


def draw_cadres(n: int, rng: np.random.Generator) -> list[Cadre]:
    """``n`` cadres with desk and village skills drawn independently, uniform on [0, 1]
    (assumption: the seeds describe the two kinds of ability, not their spread)."""
    skills = rng.random((n, 2))
    return [Cadre(i, float(d), float(v)) for i, (d, v) in enumerate(skills)]


def _check(n: int, posts: list[Post]) -> None:
    seats = sum(cap for cap, _ in posts)
    if seats != n:
        raise ValueError(f"{n} cadres for {seats} posts")


def random_assignment(cadres: list[Cadre], posts: list[Post], rng: np.random.Generator) -> list[int]:
    """Unit index per cadre, blind to skills (三定 posting)."""
    _check(len(cadres), posts)
    order = rng.permutation(len(cadres))
    unit_of = [0] * len(cadres)
    k = 0
    for u, (cap, _) in enumerate(posts):
        for _ in range(cap):
            unit_of[int(order[k])] = u
            k += 1
    return unit_of


def two_way_selection(cadres: list[Cadre], posts: list[Post], rng: np.random.Generator,
                      noise: float = 0.2) -> list[int]:
    """Unit index per cadre from a stable match of cadres and units (双向选择)."""
    _check(len(cadres), posts)
    n, m = len(cadres), len(posts)
    fit = np.array([[c.fit(share) for _, share in posts] for c in cadres])  # n × m
    wants = fit + noise * rng.standard_normal((n, m))  # what cadres seek
    picks = fit + noise * rng.standard_normal((n, m))  # what team heads seek
    prefs = [list(np.argsort(-wants[i], kind="stable")) for i in range(n)]
    for i in range(n):  # a unit with no seats receives no proposals
        prefs[i] = [u for u in prefs[i] if posts[u][0] > 0]
    nxt = [0] * n
    held: list[list[int]] = [[] for _ in range(m)]
    free = list(range(n - 1, -1, -1))
    while free:
        i = free.pop()
        u = int(prefs[i][nxt[i]])
        nxt[i] += 1
        held[u].append(i)
        if len(held[u]) > posts[u][0]:
            held[u].sort(key=lambda j: -picks[j, u])
            free.append(held[u].pop())
    unit_of = [0] * n
    for u, members in enumerate(held):
        for i in members:
            unit_of[i] = u
    return unit_of


def mean_efficiency(cadres: list[Cadre], unit_of: list[int], posts: list[Post],
                    skill_effect: float) -> float:
    """Mean efficiency of cadres at the posts they were given."""
    if not cadres:
        return 1.0
    return float(np.mean([c.efficiency(posts[u][1], skill_effect) for c, u in zip(cadres, unit_of, strict=True)]))
