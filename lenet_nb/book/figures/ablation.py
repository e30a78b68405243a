"""The ablation chapter."""

import numpy as np
from matplotlib.figure import Figure


def ablation_results(outcomes, baseline: str = "ablation-faithful") -> Figure:
    """Test error of each recipe over its seeds (dots; the bar is the mean), the error its authors
    report (a hollow diamond), and the mean training time beside; log error scale, so 1% and 90%
    both read. ``outcomes`` are ``lenet_nb.studies.ablation.Outcome``s, drawn top to bottom."""
    fig = Figure(figsize=(9, 0.36 * len(outcomes) + 1.3), layout="constrained")
    errors_ax, time_ax = fig.subplots(1, 2, sharey=True, width_ratios=(3, 1))
    y = np.arange(len(outcomes))
    colours = ["tab:blue" if o.group == "ablation" else "tab:green" for o in outcomes]
    errors_ax.barh(y, [100 * o.mean for o in outcomes], color=colours, alpha=0.35)
    for k, o in enumerate(outcomes):
        errors_ax.plot(
            100 * np.array(o.test_errors),
            [k] * len(o.test_errors),
            "o",
            color=colours[k],
            markersize=4,
        )
        if o.reported_error is not None:
            errors_ax.plot(100 * o.reported_error, k, "D", mfc="none", color="black")
    base = next(o for o in outcomes if o.recipe == baseline)
    errors_ax.axvline(
        100 * base.mean, color="tab:blue", linestyle="--", linewidth=0.9, label=f"{baseline}, mean"
    )
    errors_ax.plot([], [], "D", mfc="none", color="black", label="reported by its authors")
    errors_ax.plot([], [], "o", color="0.4", markersize=4, label="one seed (bar: mean)")
    errors_ax.set_yticks(y, [o.recipe for o in outcomes], fontsize=9)
    errors_ax.invert_yaxis()
    errors_ax.set(
        xscale="log",
        xlabel="test error (%)",
        title="test error: tutorial recipes (green), one change each (blue)",
    )
    errors_ax.grid(axis="x", which="both", alpha=0.3)
    errors_ax.legend(fontsize=9, loc="lower right")
    time_ax.barh(y, [o.train_seconds for o in outcomes], color=colours, alpha=0.6)
    # A log scale: runs made on a busier machine take many times longer and would flatten the rest.
    time_ax.set(
        xscale="log", xlabel="seconds, mean over the seeds", title="time to train (one thread)"
    )
    time_ax.grid(axis="x", alpha=0.3)
    return fig
