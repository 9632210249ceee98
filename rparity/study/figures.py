"""The report's figures, drawn with matplotlib (Agg) as self-contained SVG.

Every figure overlays the engines: the first engine's values are drawn solid
(filled markers), the second's in thin dashes (open markers) on top, so
agreement shows as dashes running along one line / a ring around each dot, and
a difference shows as two.
Fonts are converted to paths, and the SVG carries no date, so the same numbers
give the same bytes.
"""
from __future__ import annotations

import io
import math
from typing import Sequence

import numpy as np

from . import keys as K
from .keys import Level, Model, Quantity, Sample
from .result import StudyResult
from .spec import TREATMENT, StudySpec

__all__ = ["km_figure", "love_plot", "forest_plot", "seed_figure", "svg_bytes"]

_ARM_COLOURS = ("#c0392b", "#1f5fa8")  # treated, reference
_ENGINE_STYLES = ({"linestyle": "-", "linewidth": 2.2, "alpha": 0.9},
                  {"linestyle": (0, (3, 3)), "linewidth": 0.9, "alpha": 1.0})


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    # labels come from the spec: never read "$...$" in them as mathtext
    plt.rcParams.update({"svg.fonttype": "path", "svg.hashsalt": "rparity-study", "font.size": 9,
                         "text.parse_math": False,
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt


def svg_bytes(fig) -> bytes:
    """The figure as SVG (no metadata date: reproducible bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    _plt().close(fig)
    return buf.getvalue()


def _step_xy(time: np.ndarray, surv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.concatenate([[0.0], np.asarray(time, float)])
    s = np.concatenate([[1.0], np.asarray(surv, float)])
    return t, s


Q = Quantity


def km_figure(spec: StudySpec, results: Sequence[StudyResult], endpoint: str,
              samples: Sequence[Sample] = tuple(Sample)) -> bytes:
    """Kaplan-Meier curves per arm, one panel per sample, engines overlaid."""
    plt = _plt()
    present = [s for s in samples
               if any(K.km(s, endpoint, spec.arms.treated, Q.TIME, curve=True) in r for r in results)]
    fig, axes = plt.subplots(1, max(len(present), 1), figsize=(5.2 * max(len(present), 1), 3.8), squeeze=False)
    for ax, sample in zip(axes[0], present):
        tmax = 0.0
        for arm, colour in zip(spec.arms.order, _ARM_COLOURS):
            for res, style in zip(results, _ENGINE_STYLES):
                def curve(q: Quantity, res=res, arm=arm, sample=sample) -> np.ndarray | None:
                    return res.get(K.km(sample, endpoint, arm, q, curve=True))

                if curve(Q.TIME) is None or curve(Q.SURV) is None:
                    continue
                t, s = _step_xy(curve(Q.TIME), curve(Q.SURV))
                tmax = max(tmax, float(t.max()))
                n = res.get(K.km(sample, endpoint, arm, Q.N))
                # the second engine is drawn in thin black dashes on top: where the engines
                # agree the dashes run along the first engine's coloured line
                ax.step(t, s, where="post", color=colour if res is results[0] else "#111111",
                        label=f"{spec.arms.label(arm)} (n={n}) · {res.engine}", **style)
                if res is results[0] and curve(Q.N_EVENT) is not None:
                    cens = np.asarray(curve(Q.N_EVENT)) == 0
                    ct = np.asarray(curve(Q.TIME))[cens]
                    cs = np.asarray(curve(Q.SURV))[cens]
                    ax.plot(ct, cs, linestyle="none", marker="|", markersize=6, color=colour, alpha=0.8)
        p = [r.get(K.logrank(sample, endpoint, Q.PVALUE)) for r in results]
        p_txt = " / ".join(_fmt_p(x, eq=True) + f" ({r.engine})" for x, r in zip(p, results) if x is not None)
        title = "Before matching" if sample is Sample.BEFORE else "After matching"
        hr = [results[0].number(K.cox(sample, Model.UNIVARIATE, q, variable=TREATMENT)) for q in (Q.HR, Q.LOWER,
                                                                                                   Q.UPPER)]
        hr_txt = ""
        if endpoint == spec.primary and math.isfinite(hr[0]):
            hr_txt = f"; HR {hr[0]:.2f} ({hr[1]:.2f}–{hr[2]:.2f})"
        ax.set_title(f"{title}\nlog-rank p {p_txt}{hr_txt}", fontsize=9)
        ax.set_xlabel(f"Time ({spec.time_unit})")
        ax.set_ylabel(spec.endpoints[endpoint].label)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlim(0, tmax * 1.02 if tmax > 0 else 1)
        step = 12 if spec.time_unit == "months" and tmax > 24 else None
        if step:
            ax.set_xticks(np.arange(0, tmax + step, step))
        ax.grid(alpha=0.25, linewidth=0.5)
        ax.legend(fontsize=7, frameon=False, loc="upper right")
        _at_risk(ax, spec, results[0], sample, endpoint, tmax)
    fig.tight_layout()
    return svg_bytes(fig)


def _n_at_risk(time: np.ndarray, n_risk: np.ndarray, t: float) -> int:
    """Number at risk at ``t``: n_risk at the first curve time >= t (0 past the end)."""
    idx = np.searchsorted(np.asarray(time, float), t, side="left")
    return int(np.asarray(n_risk)[idx]) if idx < len(time) else 0


def _at_risk(ax, spec: StudySpec, res: StudyResult, sample: Sample, endpoint: str, tmax: float) -> None:
    """A numbers-at-risk table under the axis (first engine's curve)."""
    from matplotlib.transforms import blended_transform_factory

    tr = blended_transform_factory(ax.transData, ax.transAxes)
    ticks = [t for t in ax.get_xticks() if 0 <= t <= tmax * 1.02]
    ax.text(0, -0.27, "Number at risk", transform=ax.transAxes, fontsize=7, fontweight="bold", ha="left")
    for j, (arm, colour) in enumerate(zip(spec.arms.order, _ARM_COLOURS)):
        time = res.get(K.km(sample, endpoint, arm, Q.TIME, curve=True))
        n_risk = res.get(K.km(sample, endpoint, arm, Q.N_RISK, curve=True))
        if time is None or n_risk is None:
            continue
        y = -0.36 - 0.08 * j
        for t in ticks:
            ax.text(t, y, str(_n_at_risk(time, n_risk, t)), transform=tr, fontsize=7, ha="center", color=colour)


def _fmt_p(p: float | None, eq: bool = False) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "= —" if eq else "—"
    if p < 0.001:
        return "< 0.001" if eq else "<0.001"
    return f"= {p:.3f}" if eq else f"{p:.3f}"


def love_plot(spec: StudySpec, results: Sequence[StudyResult]) -> bytes:
    """Standardised mean differences before and after matching (a love plot)."""
    plt = _plt()
    rows = ["distance", *spec.matching.covariates]
    labels = ["Propensity score" if r == "distance"
              else f"{spec.covariate(r).label} {spec.covariate(r).positive_label}" for r in rows]
    fig, ax = plt.subplots(figsize=(6.2, 0.34 * len(rows) + 1.2))
    y = np.arange(len(rows))[::-1]
    for sample, colour, marker in ((Sample.BEFORE, "#7f7f7f", "o"), (Sample.AFTER, "#1f5fa8", "s")):
        for k, res in enumerate(results):
            x = np.array([res.number(K.balance(sample, r, Q.SMD)) for r in rows])
            if np.isnan(x).all():
                continue
            kw = ({"color": colour, "s": 26, "zorder": 3} if k == 0 else
                  {"facecolors": "none", "edgecolors": colour, "s": 80, "linewidths": 1.0, "zorder": 4})
            ax.scatter(np.abs(x), y, marker=marker,
                       label=f"{'Before' if sample is Sample.BEFORE else 'After'} matching · {res.engine}", **kw)
    ax.axvline(0.1, color="#999", linestyle=":", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlabel("|Standardised mean difference|")
    ax.grid(axis="x", alpha=0.25, linewidth=0.5)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    fig.tight_layout()
    return svg_bytes(fig)


def forest_plot(spec: StudySpec, results: Sequence[StudyResult], sample: Sample = Sample.BEFORE) -> bytes:
    """Hazard ratio of treatment (95% CI) within each subgroup, log scale."""
    plt = _plt()
    sample = Sample(sample)
    items = []
    for name in spec.subgroups.covariates:
        cov = spec.covariate(name)
        for level, lab in ((Level.POSITIVE, cov.positive_label), (Level.NEGATIVE, cov.negative_label)):
            items.append((f"{cov.label} {lab}", (name, level)))
    fig, ax = plt.subplots(figsize=(6.4, 0.3 * len(items) + 1.3))
    y = np.arange(len(items))[::-1]
    finite = []
    for k, res in enumerate(results):
        for yi, (_, (name, level)) in zip(y, items):
            hr, lo, hi = (res.number(K.subgroup(sample, name, level, q)) for q in (Q.HR, Q.LOWER, Q.UPPER))
            if not all(math.isfinite(v) and v > 0 for v in (hr, lo, hi)):
                continue
            finite += [lo, hi]
            if k == 0:
                ax.plot([lo, hi], [yi, yi], color="#333", linewidth=1.2)
                ax.scatter([hr], [yi], marker="s", color="#c0392b", s=22, zorder=3)
            else:
                ax.plot([lo, hi], [yi + 0.18, yi + 0.18], color="#1f5fa8", linewidth=0.9, linestyle=(0, (3, 2)))
                ax.scatter([hr], [yi + 0.18], marker="o", facecolors="none", edgecolors="#1f5fa8", s=30, zorder=4)
    ax.axvline(1.0, color="#999", linewidth=1)
    ax.set_xscale("log")
    if finite:
        lo, hi = min(finite), max(finite)
        ax.set_xlim(lo / 1.3, hi * 1.3)
    ax.set_yticks(y)
    ax.set_yticklabels([lab + f" (n={results[0].get(K.subgroup(sample, name, level, Q.N), '?')})"
                        for lab, (name, level) in items])
    eng = " vs ".join(r.engine for r in results)
    ax.set_xlabel(f"Hazard ratio, {spec.arms.label(spec.arms.treated)} vs {spec.arms.label(spec.arms.reference)} "
                  f"(95% CI, log scale)")
    ax.set_title(f"Subgroups ({sample.value} matching): "
                 f"{eng} ({results[0].engine}: squares; {results[-1].engine}: circles)" if len(results) > 1 else
                 f"Subgroups ({sample.value} matching)", fontsize=8)
    ax.grid(axis="x", alpha=0.25, linewidth=0.5)
    fig.tight_layout()
    return svg_bytes(fig)


def seed_figure(label: str, n_pairs: np.ndarray, hr: np.ndarray, published_pairs: int | None,
                published_hr: float | None) -> bytes:
    """A version that draws at random, over its seeds: the matched pairs (bars)
    and the treatment HR after matching (histogram), the paper's values marked."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.2, 2.6))
    vals, counts = np.unique(n_pairs[n_pairs >= 0], return_counts=True)
    a1.bar(vals, counts, color=_ARM_COLOURS[1], width=0.8)
    if published_pairs is not None:
        a1.axvline(published_pairs, color=_ARM_COLOURS[0], linestyle="--", linewidth=1.2)
        a1.text(published_pairs, 1.01, "paper", transform=a1.get_xaxis_transform(), color=_ARM_COLOURS[0],
                ha="center", va="bottom", fontsize=8)
    a1.set_xlabel("matched pairs")
    a1.set_ylabel("seeds")
    h = hr[np.isfinite(hr)]
    if h.size:
        a2.hist(h, bins=min(30, max(5, int(math.sqrt(h.size)))), color=_ARM_COLOURS[1])
    if published_hr is not None:
        a2.axvline(published_hr, color=_ARM_COLOURS[0], linestyle="--", linewidth=1.2)
        a2.text(published_hr, 1.01, "paper", transform=a2.get_xaxis_transform(), color=_ARM_COLOURS[0],
                ha="center", va="bottom", fontsize=8)
    a2.set_xlabel("treatment HR after matching")
    fig.suptitle(f"{label}: {n_pairs.size} seeds", fontsize=9)
    fig.tight_layout()
    return svg_bytes(fig)
