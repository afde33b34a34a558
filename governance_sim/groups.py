"""Residents who differ: household groups (居民群体) with their own trust, reporting, channels,
patience and problems.

A scenario's ``groups:`` names groups with a share of the households each — e.g. registered
residents (户籍居民), the floating population (流动人口), the elderly (老年户), enterprises
(企业诉求) — and what differs for them from ``roles.resident``; a field left out keeps the
common value.  Households not covered by the shares form the group ``other`` with the
common values.  Without ``groups:`` every household is alike and runs are as before.

For each group:

* ``trust0`` / ``trust_sd`` / ``patience_h`` — its households' initial trust and mean patience;
* ``channels`` — its channel mix (relative weights, as ``roles.resident.channels``);
* ``channel_cost_factor`` — multiplies what reporting through each channel costs it (a
  household that does not know where to turn pays more; seed 002 on the floating population:
  群众在反映…问题时渠道不多);
* ``rate_factor`` and ``category_rates`` — how often its households meet problems, over all
  categories and per category (multipliers of each category's rate).

Households are dealt to groups in exact proportion to the shares, in a random order drawn
from a generator of their own (the run's other draws stay as they are).  Everything that
follows — whether to report, trust moving with each rating, following up — is the common
behaviour acting on the group's values, so who waits longest and who stops reporting
emerge from it.  Metrics by group: :func:`summary_columns` (the summary) and
:func:`place_columns` (the ``places`` table).
"""

from __future__ import annotations

import math
import zlib
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from governance_sim.cases import CHANNELS, FOUND_BY_RESIDENT, RESOLVED
from governance_sim.metrics import counted_cases
from governance_sim.schema import ParamModel, Weights

OTHER = "other"
Channel = Literal["hotline", "grid_worker", "community", "street", "petition"]


class GroupSpec(ParamModel):
    """One household group; unset fields keep ``roles.resident``'s values."""

    label: str = Field(default="", description="Chinese name, e.g. 流动人口")
    share: float = Field(gt=0, le=1, description="share of the households in the group")
    trust0: float | None = Field(default=None, ge=0, le=1, description="mean initial trust")
    trust_sd: float | None = Field(default=None, ge=0, le=1, description="spread of initial trust")
    patience_h: float | None = Field(default=None, gt=0, description="mean hours a household waits calmly")
    channels: Annotated[dict[Channel, float], Weights] | None = Field(
        default=None, description="relative channel weights (each ≥ 0, sum > 0)")
    channel_cost_factor: float = Field(default=1.0, ge=0, le=100,
                                       description="multiplies the cost of reporting through every channel")
    rate_factor: float = Field(default=1.0, ge=0, le=1000,
                               description="multiplies the rate of every category for its households")
    category_rates: dict[str, float] = Field(default_factory=dict,
                                             description="category → further multiplier of its rate (≥ 0)")


def check_groups(scenario) -> tuple[str, str] | None:
    """``(field, message)`` of the first problem of a scenario's groups, or ``None``."""
    groups = scenario.groups
    if not groups:
        return None
    if OTHER in groups:
        return f"groups.{OTHER}", f"'{OTHER}' is the name of the households no group covers; choose another"
    total = sum(g.share for g in groups.values())
    if total > 1 + 1e-9:
        return "groups", f"shares add up to {total:g}; allowed: a total ≤ 1 (the rest is '{OTHER}')"
    known = sorted(scenario.categories)
    for name, g in groups.items():
        for cat, factor in g.category_rates.items():
            if cat not in scenario.categories:
                return f"groups.{name}.category_rates.{cat}", f"unknown category; allowed: {known}"
            if not (factor >= 0 and math.isfinite(factor)):
                return f"groups.{name}.category_rates.{cat}", f"must be a number ≥ 0 (got {factor!r})"
    return None


def names_of(scenario) -> list[str]:
    """The groups of a scenario in order, ``other`` last when the shares leave some households."""
    names = list(scenario.groups)
    if sum(g.share for g in scenario.groups.values()) < 1 - 1e-9:
        names.append(OTHER)
    return names


class HouseholdPicker:
    """Draws the households a category's problems fall on, in proportion to their groups' rates."""

    def __init__(self, members: list[np.ndarray], factors: np.ndarray, n_households: int):
        sizes = np.array([len(m) for m in members], dtype=float)
        weights = sizes * factors
        self.mean_factor = float(weights.sum() / n_households) if n_households else 0.0
        self.cum = np.cumsum(weights / weights.sum()) if weights.sum() > 0 else None
        self.members = members

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        u = rng.random((2, n))
        g = np.minimum(np.searchsorted(self.cum, u[0], side="right"), len(self.members) - 1)
        sizes = np.array([len(m) for m in self.members])
        k = (u[1] * sizes[g]).astype(np.int64)
        return np.array([self.members[gi][ki] for gi, ki in zip(g.tolist(), k.tolist(), strict=True)],
                        dtype=np.int64)


def assign(model) -> None:
    """Deal the households to the scenario's groups and give each group its values.

    Sets ``population.group`` (group index per household), ``population.group_names``,
    per-group channel CDFs and costs (``group_cdf``, ``group_cost``) and
    ``lifecycle.pickers`` (per category, ``None`` where every group meets it alike)."""
    sc = model.scenario
    pop = model.population
    spec = sc.roles.resident
    names = names_of(sc)
    n = len(pop.trust)
    rng = np.random.default_rng([sc.seed, zlib.crc32(b"groups")])
    shares = [sc.groups[g].share if g != OTHER else 0.0 for g in names]
    counts = [int(math.floor(s * n)) for s in shares]
    if OTHER in names:
        counts[-1] = n - sum(counts)
    else:  # the shares add up to 1: the rounding rest goes to the largest groups
        for i in np.argsort(shares)[::-1][: n - sum(counts)]:
            counts[i] += 1
    group = np.repeat(np.arange(len(names), dtype=np.int16), counts)
    rng.shuffle(group)
    pop.group, pop.group_names = group, names
    available = sorted(model.channels)
    cdfs, costs = [], []
    for gi, name in enumerate(names):
        g = sc.groups.get(name)
        members = group == gi
        k = int(members.sum())
        if g is not None and (g.trust0 is not None or g.trust_sd is not None):
            mu = spec.trust0 if g.trust0 is None else g.trust0
            sd = spec.trust_sd if g.trust_sd is None else g.trust_sd
            pop.trust[members] = np.clip(rng.normal(mu, sd, k), 0.0, 1.0)
        if g is not None and g.patience_h is not None:
            pop.patience[members] = rng.exponential(g.patience_h, k) + 1.0
        weights_of = (g.channels if g is not None and g.channels is not None else spec.channels)
        w = np.array([weights_of.get(c, 0.0) if c in available else 0.0 for c in CHANNELS], dtype=float)
        if w.sum() <= 0:
            w = np.array([1.0 if c in available else 0.0 for c in CHANNELS])
        cdfs.append(np.cumsum(w / w.sum()))
        costs.append(pop.channel_cost * (g.channel_cost_factor if g is not None else 1.0))
    pop.group_cdf = np.array(cdfs)
    pop.group_cost = np.array(costs)
    members = [np.flatnonzero(group == gi) for gi in range(len(names))]
    pickers = []
    for cat in model.categories:
        factors = np.array([_factor(sc.groups.get(name), cat.name) for name in names])
        pickers.append(None if np.all(factors == 1.0) else HouseholdPicker(members, factors, n))
    model.lifecycle.pickers = pickers if any(p is not None for p in pickers) else None


def _factor(g: GroupSpec | None, category: str) -> float:
    if g is None:
        return 1.0
    return g.rate_factor * g.category_rates.get(category, 1.0)


# ------------------------------------------------------------------ metrics by group


def _group_metrics(cases: pd.DataFrame, group_of_case: np.ndarray, k: int, sat: float) -> dict[str, float]:
    mine = group_of_case == k
    sub = cases[mine]
    reported = sub[sub["t_reported"].notna()]
    visible = sub[~sub["latent"]]
    res = (reported["t_resolved"] - reported["t_reported"]).to_numpy(dtype=float)
    rated = reported["satisfaction"].notna()
    return {
        "cases_created": len(sub),
        "cases_reported": len(reported),
        "self_report_share": float((visible["found_by"] == FOUND_BY_RESIDENT).mean()) if len(visible) else math.nan,
        "resolution_rate": float((reported["status"] == RESOLVED).mean()) if len(reported) else math.nan,
        "resolution_time_mean_h": float(np.nanmean(res)) if np.isfinite(res).any() else math.nan,
        "satisfaction_rate": (float((reported.loc[rated, "satisfaction"] >= sat).mean())
                              if rated.any() else math.nan),
        "petitions": int(reported["petition"].sum()),
    }


def summary_columns(model, cases: pd.DataFrame) -> dict[str, float]:
    """``group_<name>_<metric>`` columns of the run's summary (counted cases, as the summary's):
    households, share, problems, reports, the share of its visible problems it reported itself
    (who stops reporting), resolution rate and time (who waits longest), 满意率, petitions and
    its mean trust at the end."""
    pop = model.population
    if getattr(pop, "group", None) is None:
        return {}
    cases = counted_cases(model, cases)
    group_of_case = pop.group[cases["household"].to_numpy(dtype=np.int64)]
    sat = model.resident_spec.satisfied_threshold
    out: dict[str, float] = {}
    for k, name in enumerate(pop.group_names):
        members = pop.group == k
        out[f"group_{name}_households"] = int(members.sum())
        out[f"group_{name}_share"] = float(members.mean())
        for metric, v in _group_metrics(cases, group_of_case, k, sat).items():
            out[f"group_{name}_{metric}"] = v
        out[f"group_{name}_trust_end"] = float(pop.trust[members].mean()) if members.any() else math.nan
    return out


PLACE_METRICS = ("cases_reported", "self_report_share", "resolution_time_mean_h", "satisfaction_rate")


def place_columns(model, cases: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """The ``places`` table with ``<group>_<metric>`` columns for every place (counted cases)."""
    pop = model.population
    if getattr(pop, "group", None) is None or places.empty:
        return places
    from governance_sim.places import layout_territory

    base = layout_territory(model)
    cases = counted_cases(model, cases)
    comm = np.array([g.community for g in base.grids], dtype=np.int64)[cases["grid"].to_numpy(dtype=np.int64)]
    street_of = np.array([c.street for c in base.communities], dtype=np.int64)
    group = pop.group[cases["household"].to_numpy(dtype=np.int64)].astype(np.int64)
    n_groups = len(pop.group_names)
    reported = cases["t_reported"].notna().to_numpy()
    visible = ~cases["latent"].to_numpy(dtype=bool)
    by_resident = visible & (cases["found_by"] == FOUND_BY_RESIDENT).to_numpy()
    with np.errstate(invalid="ignore"):
        res_h = (cases["t_resolved"] - cases["t_reported"]).to_numpy(dtype=float)
        sat = cases["satisfaction"].to_numpy(dtype=float)
    has_res = reported & np.isfinite(res_h)
    rated = reported & np.isfinite(sat)
    happy = rated & (np.nan_to_num(sat) >= model.resident_spec.satisfied_threshold)
    levels = {"district": (np.zeros(len(cases), dtype=np.int64), [base.district_id]),
              "street": (street_of[comm] if len(comm) else comm, list(base.street_ids)),
              "community": (comm, [c.place_id for c in base.communities])}
    extra: dict[tuple[str, str], dict[str, float]] = {}
    for level, (key, ids) in levels.items():
        n = len(ids) * n_groups
        cell = key * n_groups + group

        def count(mask, weights=None, cell=cell, n=n):
            w = None if weights is None else weights[mask]
            return np.bincount(cell[mask], weights=w, minlength=n).reshape(-1, n_groups)

        c_rep, c_vis, c_self = count(reported), count(visible), count(by_resident)
        c_res, s_res = count(has_res), count(has_res, res_h)
        c_rated, c_happy = count(rated), count(happy)
        for i, pid in enumerate(ids):
            row = {}
            for k, name in enumerate(pop.group_names):
                row[f"{name}_cases_reported"] = int(c_rep[i, k])
                row[f"{name}_self_report_share"] = _share(c_self[i, k], c_vis[i, k])
                row[f"{name}_resolution_time_mean_h"] = _share(s_res[i, k], c_res[i, k])
                row[f"{name}_satisfaction_rate"] = _share(c_happy[i, k], c_rated[i, k])
            extra[(level, pid)] = row
    cols = [f"{name}_{metric}" for name in pop.group_names for metric in PLACE_METRICS]
    added = pd.DataFrame([extra.get((lv, pid), {}) for lv, pid in zip(places["level"], places["place_id"],
                                                                        strict=True)],
                         columns=cols, index=places.index)
    return pd.concat([places, added], axis=1)


def _share(a, b) -> float:
    return float(a / b) if b else math.nan
