"""The validation table as text: number formatting, a Markdown table, files on disk."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

from governance_sim.validation.execute import COUNTERFACTUAL, SHIPPED


def fmt(v) -> str:
    """Three significant figures, ``–`` for a missing value."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–" if v is None or v != v else ("∞" if v > 0 else "−∞")
    v = float(v)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def fmt_p(p) -> str:
    if p is None or p != p:
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def effect_cell(row) -> str:
    return f"{fmt(row['effect'])} [{fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"


def wide(table: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: the shipped test, and the counterfactual's next to it when present."""
    shipped = table[table["condition"] == SHIPPED].set_index("claim")
    cf = table[table["condition"] == COUNTERFACTUAL].set_index("claim")
    rows = []
    for claim, r in shipped.iterrows():
        row = {"claim": claim, "scenario": r["scenario"], "variants": r["variants"], "metric": r["metric"],
               "expected": r["expected"], "effect [95% CI]": effect_cell(r), "p": fmt_p(r["p_value"]),
               "d": fmt(r["effect_size"]), "n": int(r["n"]), "result": r["result"]}
        if claim in cf.index:
            c = cf.loc[claim]
            if r["result"] != "PASS":  # nothing to overturn: the claim fails as shipped
                mark = "fails as shipped too"
            else:
                mark = {True: "overturned", False: "NOT overturned"}.get(c["overturned"], "n/a")
            row["counterfactual: effect [95% CI]"] = effect_cell(c)
            row["counterfactual result"] = f"{c['result']} ({mark})"
        rows.append(row)
    return pd.DataFrame(rows)


def markdown_table(table: pd.DataFrame) -> str:
    """A GitHub Markdown table of :func:`wide`."""
    df = wide(table)
    if df.empty:
        return "(no claims)\n"
    df = df.copy()
    df["variants"] = df["variants"].str.replace(" vs ", " · ")
    df["metric"] = "`" + df["metric"] + "`"
    header = "| " + " | ".join(df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    lines = [header, rule]
    for _, r in df.iterrows():
        cells = [str(r[c]).replace("|", "\\|") for c in df.columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def changes_markdown(validation) -> str:
    """The claims' arms, estimands and overturning changes as a Markdown list."""
    lines = []
    for claim in validation.claims:
        lines.append(f"- **{claim.id}** ({claim.scenario_name}) {claim.text}")
        lines.append(f"  arms: {'; '.join(f'`{a.label}` = {a.describe()}' for a in claim.arms)}; "
                     f"estimand: {claim.contrast.kind} {claim.contrast.describe(claim.metric)} "
                     f"of `{claim.metric}`, expected {claim.expected()}, test {claim.test}.")
        cf = claim.counterfactual
        if cf is not None:
            lines.append(f"  behavioural parameter: `{cf.range_text()}`; overturned by: {cf.text} "
                         f"(`{cf.describe()}`).")
    return "\n".join(lines) + "\n"


def flips_markdown(flips: pd.DataFrame) -> str:
    """The scan of each claim's behavioural parameter as a Markdown table."""
    if flips.empty:
        return ""
    lines = ["| claim | parameter | range | counterfactual | values | verdicts | flips |",
             "|---|---|---|---|---|---|---|"]
    for _, r in flips.iterrows():
        cells = [r["claim"], f"`{r['parameter']}`", r["range"], fmt(r["counterfactual"]), r["values"],
                 r["results"], r["flips"]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _replace(tmp: Path, final: Path) -> None:
    os.replace(tmp, final)


def write_validation(validation, out: str | Path, lang: str = "zh") -> Path:
    """``validation.parquet``/``.csv``/``.md``, ``runs.parquet``, ``contrasts.parquet``,
    ``flips.parquet`` (with a scan) and the figures ``validation_forest.png``,
    ``validation_claims.png`` — each file whole or not at all."""
    import matplotlib.pyplot as plt

    from governance_sim.runner import write_tables

    out = Path(out)
    table = validation.table.copy()
    table["overturned"] = table["overturned"].astype("object")
    flips = validation.flips
    tables = {"validation": table, "runs": validation.runs, "contrasts": validation.contrasts}
    if not flips.empty:
        tables["flips"] = flips
    write_tables(tables, out)
    tmp = out / ".validation.csv.partial"
    validation.table.to_csv(tmp, index=False)
    _replace(tmp, out / "validation.csv")
    s = validation.settings
    warmup = s.get("warmup_days")
    text = (f"# Validation of the stylised facts (MODEL.md §7)\n\n"
            f"{s.get('reps')} replications per arm, days = {s.get('days') or 'scenario default'}, "
            f"warm-up = {'scenario default' if warmup is None else warmup} days, "
            f"seed = {s.get('seed')}, α = {s.get('alpha')}; {s.get('arms')} distinct arms, "
            f"{s.get('runs')} runs.\n\n" + validation.markdown())
    if not flips.empty:
        text += (f"\n## Scan of each claim's behavioural parameter ({s.get('scan')} points)\n\n"
                 + flips_markdown(flips))
    text += "\n## Claims\n\n" + changes_markdown(validation)
    tmp = out / ".validation.md.partial"
    tmp.write_text(text, encoding="utf-8")
    _replace(tmp, out / "validation.md")
    for name, fig in validation.figures(lang).items():
        tmp = out / f".{name}.partial.png"
        fig.savefig(tmp, dpi=120, bbox_inches="tight")
        _replace(tmp, out / f"{name}.png")
        plt.close(fig)
    return out
