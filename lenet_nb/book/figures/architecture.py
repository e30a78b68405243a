"""The landing page's picture of LeNet-5, in the manner of the paper's Fig. 2, drawn from the
model's own layer shapes (``output_shapes``) as SVG, each layer a link to its chapter.

SVG rather than a matplotlib figure so that the layers are links and the drawing takes the page's
text colour (``currentColor``), in the light theme and the dark alike.
"""

from html import escape
from pathlib import Path

from lenet_nb.cli import Parser
from lenet_nb.network.model import LeNet5, output_shapes
from lenet_nb.paths import REPOSITORY
from lenet_nb.training.checkpoint import atomic_write

# The landing page includes it from here (book/index.md); tests check it is this code's drawing.
OUT = REPOSITORY / "book" / "lenet5.svg"

# The chapter of each stage of the network.
CHAPTERS = {
    "input": "01_input",
    "C1": "02_c1",
    "S2": "03_s2",
    "C3": "04_c3",
    "S4": "05_s4",
    "C5": "06_c5",
    "F6": "07_f6",
    "output": "08_output",
}
# Fig. 2's names for what leads into each layer.
OPERATIONS = {
    "C1": "convolutions",
    "S2": "subsampling",
    "C3": "convolutions",
    "S4": "subsampling",
    "C5": "convolutions",
    "F6": "full connection",
    "output": "Gaussian connections",
}
PIXEL = 2.0  # drawing units per unit of a feature map
STACK_STEP = 4.0  # offset between the planes of a stack
GAP = 38.0  # between two stages
HEIGHT = 230.0
PAPER = "var(--pst-color-background, #fff)"  # the page's background: front planes hide back ones


def architecture_svg(model, href=lambda stem: f"{stem}.html") -> str:
    """The network from input to output as an SVG element: a stack of planes per layer of feature
    maps, a column per layer of units, labelled as Fig. 2 labels them."""
    stages = [("input", (1, model.input_size, model.input_size))]
    stages += list(output_shapes(model).items())
    x, parts = 10.0, []
    for i, (name, shape) in enumerate(stages):
        body, width = _stage(name, shape, x)
        title, detail = _caption(name, shape)
        parts.append(
            f'<a href="{escape(href(CHAPTERS[name]))}"><title>{title} {detail}: its '
            f"chapter</title>{body}{_text(x + width / 2, HEIGHT - 26, title)}"
            f"{_text(x + width / 2, HEIGHT - 9, detail)}</a>"
        )
        if name in OPERATIONS:  # on two rows, so that neighbours do not collide
            row = 16 if i % 2 else 32
            parts.append(_text(x - GAP / 2, row, OPERATIONS[name], size=11, italic=True))
        x += width + GAP
    description = "LeNet-5 as in the paper's Fig. 2: " + ", ".join(
        " ".join(_caption(name, shape)) for name, shape in stages
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {x - GAP + 30:.0f} {HEIGHT:.0f}"'
        f' role="figure" aria-label="{escape(description)}" class="lenet-architecture"'
        f' style="width: 100%; height: auto; color: inherit" font-family="sans-serif">'
        f"<title>{escape(description)}</title>{''.join(parts)}</svg>"
    )


def _caption(name: str, shape: tuple) -> tuple[str, str]:
    """Fig. 2's label in two lines: the layer, and its maps (count@height x width) or units."""
    if len(shape) == 3 and shape[1] > 1:
        title = "INPUT" if name == "input" else name
        return title, (
            f"{shape[1]}x{shape[2]}" if name == "input" else f"{shape[0]}@{shape[1]}x{shape[2]}"
        )
    return ("OUTPUT" if name == "output" else name), str(shape[0])  # Fig. 2: "layer 120"


def _stage(name: str, shape: tuple, x: float) -> tuple[str, float]:
    """One stage's drawing at ``x``, and its width."""
    if len(shape) == 3 and shape[1] > 1:
        return _stack(shape[0], shape[1] * PIXEL, x)
    return _column(shape[0], x)


def _stack(planes: int, side: float, x: float) -> tuple[str, float]:
    """``planes`` squares of ``side``, each a step further right and down, as Fig. 2 draws maps."""
    top = (HEIGHT - side - STACK_STEP * (planes - 1)) / 2 - 8
    squares = "".join(
        f'<rect x="{x + k * STACK_STEP:.1f}" y="{top + k * STACK_STEP:.1f}" width="{side:.1f}" '
        f'height="{side:.1f}" style="fill: {PAPER}" stroke="currentColor" '
        f'stroke-width="0.8"/>'
        for k in range(planes)
    )
    return squares, side + STACK_STEP * (planes - 1)


def _column(units: int, x: float) -> tuple[str, float]:
    """A column of ``units`` thin cells: a layer of units with no spatial extent."""
    cell, width = 1.2, 12.0
    top = (HEIGHT - units * cell) / 2 - 8
    return (
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{width}" height="{units * cell:.1f}" '
        f'fill="currentColor" fill-opacity="0.12" stroke="currentColor" stroke-width="0.8"/>'
        + "".join(
            f'<line x1="{x:.1f}" x2="{x + width:.1f}" y1="{top + k * cell:.1f}" '
            f'y2="{top + k * cell:.1f}" stroke="currentColor" stroke-opacity="0.35" '
            f'stroke-width="0.3"/>'
            for k in range(1, units)
        ),
        width,
    )


def _text(x: float, y: float, text: str, size: float = 13, italic: bool = False) -> str:
    style = ' font-style="italic"' if italic else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{size}" '
        f'fill="currentColor"{style}>{escape(text)}</text>'
    )


def main(argv=None) -> None:
    """``python -m lenet_nb architecture`` rewrites the landing page's figure."""
    Parser(
        prog="python -m lenet_nb architecture",
        description="Redraw book/lenet5.svg, the landing page's figure.",
    ).parse_args(argv)
    text = architecture_svg(LeNet5()) + "\n"
    atomic_write(OUT, lambda tmp: Path(tmp).write_text(text))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
