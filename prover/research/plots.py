"""The sweep's plots (matplotlib, Agg): proof size against users and against parameters, security against users,
prove and verify time against users; other systems' published figures are marked and labelled as such."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from prover.research.references import REFERENCES
from prover.research.sweep import PARAMETERS, SCALE, SMALLEST, STANDARD

FILES = ("proof_size_vs_users.png", "proof_size_vs_parameters.png", "security_vs_users.png", "time_vs_users.png")
_STYLE = {STANDARD: "-", SMALLEST: "--"}
_REF = {"color": "black", "marker": "*", "markersize": 14, "linestyle": "none"}


def write_plots(rows: list[dict], target_bits: int, out: Path) -> list[Path]:
    scale = [r for r in rows if r["part"] == SCALE]
    paths = [out / name for name in FILES]
    _size_vs_users(scale, paths[0])
    _size_vs_parameters([r for r in rows if r["part"] == PARAMETERS], paths[1])
    _security_vs_users(scale, target_bits, paths[2])
    _time_vs_users(scale, paths[3])
    return paths


def _series(rows, label, assets, key):
    pts = sorted((r["users"], r[key]) for r in rows if r["label"] == label and r["assets"] == assets
                 and r[key] is not None)
    return [u for u, _ in pts], [v for _, v in pts]


def _users_axis(ax):
    ax.set_xscale("log", base=2)
    ax.set_xlabel("users (padded to a power of two)")
    ax.grid(True, which="both", alpha=0.3)


def _size_vs_users(rows, path):
    fig, ax = plt.subplots(figsize=(11, 5.5))
    for color, a in _asset_colors(rows):
        for label, style in _STYLE.items():
            x, y = _series(rows, label, a, "round_bytes")
            if x:
                ax.plot(x, [v / 1000 for v in y], style, color=color, marker="o", markersize=3,
                        label=f"{a} assets, {label}")
    okx = next(r for r in REFERENCES if r.system == "OKX v1")
    ax.axhline(okx.proof_bytes / 1000, color="black", linestyle=":", linewidth=1.2)
    ax.annotate(f"{okx.system} ({okx.proof_system}): {okx.proof_bytes / 1000:.0f} KB, {okx.assets} assets, "
                "users not stated", (0.02, okx.proof_bytes / 1000), xycoords=("axes fraction", "data"),
                xytext=(0, 4), textcoords="offset points", fontsize=8)
    _users_axis(ax)
    ax.set_yscale("log")
    ax.set_ylabel("proof size of the round (KB, estimated)")
    ax.set_title("Liabilities proof size against users (solid: standard preset; dashed: smallest proof)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _asset_colors(rows):
    assets = sorted({r["assets"] for r in rows})
    return zip(plt.cm.viridis([i / max(1, len(assets) - 1) for i in range(len(assets))]), assets)


def _size_vs_parameters(rows, path):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    blowups = sorted({r["log_blowup"] for r in rows})
    for b in blowups:
        mine = [r for r in rows if r["log_blowup"] == b]
        for ax, key in zip(axes, ("fri_log_arity", "fri_log_final_degree")):
            xs = sorted({r[key] for r in mine})
            best = [min(r["round_bytes"] for r in mine if r[key] == x) / 1000 for x in xs]
            queries = [min((r for r in mine if r[key] == x), key=lambda r: r["round_bytes"])["num_queries"]
                       for x in xs]
            ax.plot([1 << x for x in xs], best, "o-", label=f"blowup {1 << b} ({min(queries)}-{max(queries)} queries)")
    for ax, what in zip(axes, ("FRI folding arity", "FRI final polynomial degree bound")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel(what)
        ax.grid(True, alpha=0.3)
    r0 = rows[0] if rows else None
    where = f"{r0['users']:,} users x {r0['assets']} assets" if r0 else ""
    axes[0].set_ylabel("proof size (KB, estimated; best over the other choices)")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Proof size against STARK parameters at equal conjectured security ({where})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _security_vs_users(rows, target_bits, path):
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    for ax, label in zip(axes, _STYLE):
        for color, a in _asset_colors(rows):
            x, conj = _series(rows, label, a, "conjectured_bits")
            _, proven = _series(rows, label, a, "proven_bits")
            if x:
                ax.plot(x, conj, "-", marker="o", markersize=3, color=color, label=f"{a} assets: conjectured")
                ax.plot(x, proven, "--", marker="x", markersize=4, color=color, label=f"{a} assets: proven")
        ax.axhline(target_bits, color="red", linewidth=1, label=f"target ({target_bits} bits)")
        _users_axis(ax)
        ax.set_title(label)
    axes[0].set_ylabel("security of each proof (bits)")
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle("Conjectured (solid) and proven (dashed) security against users")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _time_vs_users(rows, path):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    measured = [r for r in rows if r["prove_s"] is not None]
    for ax, key, what in zip(axes, ("prove_s", "verify_s"), ("prove", "verify")):
        for a in sorted({r["assets"] for r in measured}):
            for label, style in _STYLE.items():
                x, y = _series(measured, label, a, key)
                if x:
                    ax.plot(x, y, style, marker="o", markersize=4, label=f"{a} assets, {label}")
        for ref in REFERENCES:
            value = getattr(ref, key)
            if value is not None and ref.users is not None:
                ax.plot([ref.users], [value], **_REF, label=f"{ref.system} ({ref.proof_system}), {ref.assets} assets, "
                                                            "published")
        if not measured:
            ax.text(0.5, 0.5, "not measured in this run\n(por research --measure)", transform=ax.transAxes,
                    ha="center", va="center", color="gray")
        _users_axis(ax)
        ax.set_yscale("log")
        ax.set_ylabel(f"{what} time (s, whole round)")
        ax.legend(fontsize=7)
    fig.suptitle("Prove and verify time on this machine (2 cores) against published reference points")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
