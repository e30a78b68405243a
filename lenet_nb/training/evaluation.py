"""Running a network over many preprocessed digits: its outputs, its decisions, its error."""

import torch

# Digits per forward pass: bounds memory on any device, and small enough that a chunk's feature
# maps stay in a CPU's cache (on 2 cores, 256 classify about 3x faster than 2,000).
CHUNK = 256


@torch.no_grad()
def penalties(model, images: torch.Tensor, chunk: int = CHUNK) -> torch.Tensor:
    """``model``'s outputs (the ten RBF penalties, or a variant's scores) for a preprocessed
    batch, computed ``chunk`` digits at a time on the model's device and returned on the CPU."""
    device = next(model.parameters()).device
    return torch.cat(
        [model(images[i : i + chunk].to(device)).cpu() for i in range(0, len(images), chunk)]
    )


@torch.no_grad()
def predict_classes(model, images: torch.Tensor, chunk: int = CHUNK) -> torch.Tensor:
    """The predicted classes (the smallest penalty's) for a preprocessed batch, in chunks, on the
    images' device."""
    return torch.cat(
        [model.decide(model(images[i : i + chunk])) for i in range(0, len(images), chunk)]
    )


def error_rate(classes: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of ``classes`` that differ from ``labels``, in float64 (exact to the count):
    for a network, ``error_rate(predict_classes(model, images), labels)``."""
    return (classes != labels).double().mean().item()
