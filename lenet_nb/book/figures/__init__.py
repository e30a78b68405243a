"""The book's figures, one module per part of the book over one shared style (``style``).

Each function returns a ``matplotlib.figure.Figure``, built without pyplot, so a chapter shows
one exactly once, by returning it as the last expression of a cell.
"""

from lenet_nb.book.figures.ablation import ablation_results
from lenet_nb.book.figures.distortions import (
    distortion_extremes,
    distortion_gallery,
    error_overlap,
    invariance_curves,
    spread_panels,
    with_answers,
    within_class_spread,
)
from lenet_nb.book.figures.family import family_figure
from lenet_nb.book.figures.input import digit_grid, pixel_histograms
from lenet_nb.book.figures.layers import (
    c3_map,
    c3_table,
    feature_maps,
    kernels,
    map_panels,
    squashing_function,
    subsampling_maps,
    wide_input,
)
from lenet_nb.book.figures.output import f6_bitmaps, network, penalty_bars, prototype_bitmaps
from lenet_nb.book.figures.own_digits import normalisation_stages, rejection_curves
from lenet_nb.book.figures.procedure import screen as procedure_screen
from lenet_nb.book.figures.procedure import twenty_passes as procedure_passes
from lenet_nb.book.figures.results import confusion_matrix, error_rates, misclassified
from lenet_nb.book.figures.seeds import curves_over_seeds, error_against_training_size
from lenet_nb.book.figures.step_sizes import step_sizes_by_parameter
from lenet_nb.book.figures.strings import (
    segmentation_cuts,
    string_reading,
    string_reading_errors,
    string_windows,
)
from lenet_nb.book.figures.style import (
    ACTIVATION_CMAP,
    ACTIVATION_RANGE,
    INPUT_CMAP,
    INPUT_RANGE,
    WEIGHT_CMAP,
)
from lenet_nb.book.figures.training import (
    curvature_by_layer,
    learning_rate_schedule,
    sdlm_steps,
    training_curves,
)

__all__ = [
    "procedure_screen",
    "procedure_passes",
    "ACTIVATION_CMAP",
    "ACTIVATION_RANGE",
    "INPUT_CMAP",
    "INPUT_RANGE",
    "WEIGHT_CMAP",
    "ablation_results",
    "c3_map",
    "c3_table",
    "confusion_matrix",
    "curvature_by_layer",
    "curves_over_seeds",
    "digit_grid",
    "distortion_extremes",
    "distortion_gallery",
    "error_overlap",
    "error_against_training_size",
    "error_rates",
    "family_figure",
    "f6_bitmaps",
    "feature_maps",
    "invariance_curves",
    "kernels",
    "learning_rate_schedule",
    "map_panels",
    "misclassified",
    "network",
    "normalisation_stages",
    "penalty_bars",
    "pixel_histograms",
    "prototype_bitmaps",
    "rejection_curves",
    "sdlm_steps",
    "spread_panels",
    "segmentation_cuts",
    "step_sizes_by_parameter",
    "string_reading",
    "string_reading_errors",
    "string_windows",
    "squashing_function",
    "subsampling_maps",
    "training_curves",
    "wide_input",
    "with_answers",
    "within_class_spread",
]
