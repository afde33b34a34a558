"""``grid`` — 网格化管理: coverage, patrols, 多网合一 and appraised reporting (MODEL.md §5).

Three mechanisms, each off (or neutral) by default so that ``grid: {}`` keeps
the scenario's grid workers as they are:

* **Coverage and patrols.**  ``households_per_worker``, ``patrol_hours``,
  ``detection_prob`` and ``latent_detection_prob`` reset the grid workers' role
  parameters (seed 003: 「城市社区专职网格员配备率达 100%」, one full-time worker
  per urban grid; seed 004, 龙港: 384 full-time workers for 384 grids).
* **多网合一 (``merge_networks``).**  Sources: seed 000 (「稳步实施“多网合一”优化
  行动」), seed 003 (「将原并行于社区的民政、人社等近xx 张专业网整合成基层治理“一张网”」),
  seed 004 (「上面千条线,下面一张网」).  Without merging, the same headcount is
  split over ``networks`` parallel specialist networks (民政, 综治, 城管, 安监 …):
  each worker belongs to one network and patrols only for that network's
  categories, over ``networks`` times as many grids.  A problem is therefore
  seen only when its own network's worker passes, which happens on 1 day in
  ``networks``: the daily detection probability of every problem is divided
  by ``networks``.  Each network also keeps its own forms and platform, adding
  ``network_paperwork_h`` of paperwork a day per extra network.  Merged, one
  worker sees every category in the grid and keeps one set of forms.
* **Appraised reporting (``report_quota``).**  Source: seed 004 (X镇:
  「《网格化管理信息上报考核制度》」, reporting counts are appraised).  The padding
  itself is not in the seeds (docs/sources.md §4.3).  Padding is a choice
  (:func:`governance_sim.appraisal.padding_probability`): at the end of each month a
  worker who reported fewer than ``report_quota`` problems weighs the mark the
  shortfall loses (``quota_weight``) against the risk that an audit (核查, each
  report checked with ``audit_rate``) catches a padded report (``audit_penalty``),
  and pads the whole shortfall or nothing.  The same appraisal moves its effort: like a
  街巷长's, its patrol hours for the next month move toward ``patrol_hours × (1 +
  sensitivity × quota_weight × shortfall / quota)`` with the scorecards' inertia
  (more patrol, more genuine finds, less time for its queue).  Each padded report costs the worker
  ``padding_h`` and the community office ``padding_review_h`` to log and close
  (activities ``padding`` and ``padding_review`` in the workers table); audits
  catch padded reports at ``audit_rate`` (``grid_padding_caught``).  Padded
  reports are not problems: they are counted apart (``cases_padded``) and never
  enter the cases table, so problem metrics stay clean while the appraised count
  (``grid_reports_appraised``) inflates.  Weights, audit rate and penalty are
  assumptions.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from governance_sim.appraisal import Scorecard, padding_probability
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay


def _no_response(task, now) -> None:
    """Padding is not a response to any problem."""


class GridParams(OverlayParams):
    """Parameters of 网格化 (``None`` keeps the scenario's own value)."""

    households_per_worker: int | None = Field(
        default=None, ge=1,
        description="households one grid worker covers; at or above the grid size, a worker covers "
                    "round(this / households_per_grid) grids; below it, grids are redrawn this small")
    patrol_hours: float | None = Field(default=None, ge=0, le=12,
                                       description="patrol hours per worker per workday")
    detection_prob: float | None = Field(default=None, ge=0, le=1,
                                         description="P(a patrol notices a visible problem in a day)")
    latent_detection_prob: float | None = Field(default=None, ge=0, le=1,
                                                description="P(a patrol notices a latent hazard in a day)")
    networks: int = Field(default=4, ge=1, le=20,
                          description="specialist networks that run side by side unless merged "
                                      "(assumption; seed 003 anonymises the count as 「近xx 张」)")
    merge_networks: bool = Field(default=True,
                                 description="多网合一: one worker covers every network's categories")
    network_paperwork_h: float = Field(default=0.5, ge=0, le=4,
                                       description="paperwork hours a day each extra unmerged network adds")
    report_quota: float = Field(default=0.0, ge=0,
                                description="reports per worker per month counted in the appraisal "
                                            "(0 = reporting is not appraised)")
    quota_weight: float = Field(
        default=1.0, ge=0, le=10,
        description="weight of the report count in a worker's monthly appraisal; a shortfall of the "
                    "whole quota loses this much (assumption)")
    audit_rate: float = Field(default=0.05, ge=0, le=1,
                              description="P(an audit checks a given report and finds it padded) (assumption)")
    audit_penalty: float = Field(
        default=2.0, ge=0, le=20,
        description="appraisal cost of being caught padding, in the same units as quota_weight "
                    "(assumption: twice a month's quota mark, 通报批评)")
    padding_h: float = Field(default=0.25, gt=0, le=4,
                             description="worker hours to write up one trivial report")
    padding_review_h: float = Field(default=0.5, gt=0, le=4,
                                    description="community-office hours to log and close one trivial report")


@register_overlay
class GridOverlay(Overlay):
    """网格化 — grid coverage, patrols, 多网合一 and appraised report counts."""

    name = "grid"
    label = "网格化"
    Params = GridParams

    def __init__(self, params: GridParams):
        super().__init__(params)
        self._counted: set[int] = set()
        self.genuine = 0
        self.padded = 0
        self.caught = 0  # padded reports an audit found out
        self.decisions = 0  # month-ends a worker was short of the quota and chose
        self.padding_log: list[tuple[int, int, int]] = []  # (month, worker, trivial reports filed)

    # ------------------------------------------------------------ role parameters
    def adjust_scenario(self, scenario):
        p = self.params
        gw = scenario.roles.grid_worker
        changes: dict[str, object] = {}
        if p.households_per_worker is not None:
            size = scenario.territory.households_per_grid
            if p.households_per_worker >= size:
                changes["roles.grid_worker.grids_per_worker"] = max(1, round(p.households_per_worker / size))
            else:
                changes["territory.households_per_grid"] = p.households_per_worker
                changes["roles.grid_worker.grids_per_worker"] = 1
        detection = gw.detection_prob if p.detection_prob is None else p.detection_prob
        latent = gw.latent_detection_prob if p.latent_detection_prob is None else p.latent_detection_prob
        paperwork = gw.paperwork_h
        if not p.merge_networks and p.networks > 1:
            # each problem is seen only on the days its own network's worker passes (1 in k)
            detection /= p.networks
            latent /= p.networks
            paperwork += p.network_paperwork_h * (p.networks - 1)
        if p.patrol_hours is not None:
            changes["roles.grid_worker.patrol_hours"] = p.patrol_hours
        for field, value, old in (("detection_prob", detection, gw.detection_prob),
                                  ("latent_detection_prob", latent, gw.latent_detection_prob),
                                  ("paperwork_h", paperwork, gw.paperwork_h)):
            if value != old:
                changes[f"roles.grid_worker.{field}"] = value
        return scenario.with_overrides(changes) if changes else scenario

    def setup(self, model) -> None:
        self.rng = self.make_rng(model)
        self._month = np.zeros(len(model.grid_workers), dtype=np.int64)

    # ------------------------------------------------------------ reporting counts
    def route(self, case, at, model):
        """Count each problem a worker brings into the system (patrol find or resident report)."""
        if at[0] == "grid_worker" and case.id not in self._counted:
            self._counted.add(case.id)
            self._month[at[1]] += 1
            self.genuine += 1
        return None

    def on_month(self, model, month: int) -> None:
        """The appraisal counts the month's reports: a worker short of the quota may pad it
        now, and moves next month's patrol hours toward what the quota rewards (its
        scorecard, :mod:`governance_sim.appraisal`: appraiser ``quota`` with weight
        ``quota_weight``, the same sensitivity and inertia as every scorecard)."""
        p = self.params
        if p.report_quota > 0:
            appraisal = model.appraisal
            for w, worker in enumerate(model.grid_workers):
                if worker.scorecard is None:
                    base = worker.base_patrol_h
                    worker.scorecard = Scorecard({"quota": p.quota_weight}, {"patrol": base},
                                                 {"patrol": base * appraisal.sensitivity})
                worker.scorecard.mark("quota", "patrol", min(1.0, int(self._month[w]) / p.report_quota))
                worker.scorecard.reweight(appraisal.inertia, month)
                worker.set_patrol_hours(worker.scorecard.priority["patrol"])
            for w, worker in enumerate(model.grid_workers):
                shortfall = p.report_quota - self._month[w]
                if shortfall <= 0:
                    continue
                prob = padding_probability(p.quota_weight, shortfall, p.report_quota, p.audit_rate,
                                           p.audit_penalty)
                self.decisions += 1
                if not self.rng.random() < prob:
                    continue
                n = int(math.ceil(shortfall))
                for _ in range(n):
                    worker.work_on(None, p.padding_h, 1.0, self._review, "padding", _no_response)
                self.caught += int((self.rng.random(n) < p.audit_rate).sum())
                self.padded += n
                self.padding_log.append((month, w, n))
        self._month[:] = 0

    def _review(self, task) -> None:
        """The community office logs and closes the trivial report."""
        worker = task.unit
        model = worker.model
        office = model.community_offices[model.community_of_grid[worker.grids[0]]]
        office.work_on(None, self.params.padding_review_h, 1.0, None, "padding_review", _no_response)

    def summary(self, model) -> dict[str, float]:
        return self.merge_summaries([self.summary_parts(model)])

    def summary_parts(self, model) -> dict:
        return {"genuine": self.genuine, "padded": self.padded, "caught": self.caught,
                "decisions": self.decisions, "padding": len(self.padding_log)}

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        """Counts added up over the districts; shares those of the sums."""
        genuine, padded, caught, decisions, padding = (
            sum(p[k] for p in parts) for k in ("genuine", "padded", "caught", "decisions", "padding"))
        total = genuine + padded
        return {
            "grid_reports_genuine": genuine,
            "cases_padded": padded,
            "grid_reports_appraised": total,
            "grid_padded_share": padded / total if total else math.nan,
            "grid_padding_caught": caught,
            "grid_padding_choices": decisions,
            "grid_workers_padding_share": padding / decisions if decisions else math.nan,
        }
