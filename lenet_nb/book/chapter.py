"""What the chapters share: their opening, the digits they show, and how they show code.

Every chapter of the network's part opens with ``model, images, labels, device = setup()``.
"""

import inspect
import textwrap

import torch
from IPython.display import Markdown

from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.runtime import device as default_device
from lenet_nb.runtime import seed_everything
from lenet_nb.training.committed import load_model


def setup(model: str = "paper"):
    """Pick the device, load a committed network onto it and the preprocessed test set (on the
    CPU), then seed everything: ``(model, images, labels, device)``.

    Seeding comes last because building a network to load weights into draws random numbers the
    first time only (loaded networks are cached): what a chapter draws next is the same either way.
    """
    device = default_device()
    net = load_model(model, device)
    images, labels = mnist_tensors(train=False)
    seed_everything(0)
    return net, images, labels, device


def example_digits(labels: torch.Tensor, per_class: int = 1, classes=range(10)) -> torch.Tensor:
    """Indices of the first ``per_class`` test digits of each class, class by class: the digits
    the chapters show, the same in every chapter."""
    return torch.tensor(
        [int(i) for c in classes for i in (labels == c).nonzero().flatten()[:per_class]]
    )


@torch.no_grad()
def activations(model, images: torch.Tensor, upto: str = "output") -> dict:
    """``model.activations`` on the model's device, every result moved to the CPU."""
    device = next(model.parameters()).device
    return {
        name: value.cpu() for name, value in model.activations(images.to(device), upto=upto).items()
    }


def source(*objects) -> Markdown:
    """The source code of functions or classes, as a highlighted block in the chapter."""
    parts = []
    for obj in objects:
        name = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
        module = inspect.getmodule(obj).__name__
        parts.append(f"# {module}: {name}\n" + textwrap.dedent(inspect.getsource(obj)).rstrip())
    return Markdown("```python\n" + "\n\n".join(parts) + "\n```")


def significant(x: float, digits: int = 2) -> str:
    """``x`` rounded to ``digits`` significant digits, for printing: 3,200 rather than 3.2e+03."""
    return f"{float(f'{x:.{digits}g}'):,g}"
