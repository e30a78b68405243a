"""Any digit image(s) as the network's input: MNIST's own 28x28 or 32x32 form as it is, anything
else made like MNIST's digits first (``lenet_nb.digits.normalise``)."""

import numpy as np
import torch
from PIL import Image

from lenet_nb.digits.mnist import PAD, pad_to_32, scale_to_paper_range, shrink_to_16
from lenet_nb.digits.normalise import normalise
from lenet_nb.digits.pixels import COLOUR, as_pixel_tensor, to_unit

SIZES = (28, 32)


def _as_batch(images: torch.Tensor) -> torch.Tensor:
    """``H x W``, ``N x H x W`` or ``N x 1 x H x W`` -> ``N x 1 x H x W``."""
    shape = tuple(images.shape)
    if images.dim() >= 3 and shape[-1] in (3, 4) or images.dim() == 4 and shape[1] in (3, 4):
        raise ValueError(f"images of shape {shape}: {COLOUR}")
    if images.dim() == 3 and shape[-1] == 1:
        raise ValueError(
            f"images of shape {shape}: a trailing channel axis; pass the grey "
            "image H x W (image[..., 0]), or a batch N x H x W"
        )
    if images.dim() == 2:
        images = images[None, None]
    elif images.dim() == 3:
        images = images[:, None]
    elif images.dim() != 4 or shape[1] != 1:
        raise ValueError(
            f"images of shape {shape}: expected one image H x W, a batch N x H x W or N x 1 x H x W"
        )
    return images


def _mnist_ready(batch: torch.Tensor) -> bool:
    """28x28 or 32x32: taken as MNIST's own form (white on black, size-normalised, centred)."""
    return batch.shape[-1] == batch.shape[-2] and batch.shape[-1] in SIZES


def as_model_input(images, polarity: str | None = None) -> torch.Tensor:
    """Any digit image(s) -> the paper's preprocessed ``N x 1 x 32 x 32`` input.

    Accepts a PIL grey image ('L', or 'LA' composited by ``pixels.flatten_alpha``), a uint8
    (0-255) or float (0-1) array or tensor, one image or a batch, of any size. With ``polarity``
    None, 28x28 images (padded to 32x32 with background) and 32x32 ones are taken as they are,
    white digits on black as in MNIST; every other size goes through ``normalise`` (dark ink on
    light paper detected and inverted, cropped, size-normalised and centred as MNIST's digits
    were). A polarity ("auto", "light-on-dark", "dark-on-light") sends every image through it.
    Anything else raises an error that says what was expected.
    """
    return paper_input(as_digit_pixels(images, polarity))


def as_digit_pixels(images, polarity: str | None = None) -> torch.Tensor:
    """``as_model_input``'s digits before the paper's padding and scaling: ``N x 1 x 28 x 28``
    (or ``32 x 32`` for 32x32 images taken as they are), float32 in [0, 1], white on black."""
    batch = _as_batch(as_pixel_tensor(images))
    transparent = isinstance(images, Image.Image) and images.mode == "LA"  # never MNIST's form
    if polarity is None and _mnist_ready(batch) and not transparent:
        return to_unit(batch)
    digits = [normalise(image[0], polarity or "auto").pixels for image in batch]
    return to_unit(torch.from_numpy(np.stack(digits))[:, None])


def paper_input(pixels: torch.Tensor) -> torch.Tensor:
    """``as_digit_pixels``'s result padded to 32x32 and scaled to the paper's range."""
    if pixels.shape[-1] == 28:
        pixels = pad_to_32(pixels)
    return scale_to_paper_range(pixels)


def network_input(pixels: torch.Tensor, input_size: int = 32, digit_size: int = 20) -> torch.Tensor:
    """``as_digit_pixels``'s result as a network reads it: ``paper_input`` for LeNet-5 and
    LeNet-4; for LeNet-1 (``digit_size`` 16, ``input_size`` 28) the 28x28 field with MNIST's
    20x20 digit box shrunk to 16x16 (``lenet_nb.digits.mnist.shrink_to_16``)."""
    if digit_size == 20 and input_size == 32:
        return paper_input(pixels)
    if (input_size, digit_size) != (28, 16):
        raise ValueError(f"no input of {input_size}x{input_size} with {digit_size}-px digits")
    if pixels.shape[-1] == 32:
        pixels = pixels[..., PAD:-PAD, PAD:-PAD]
    for step in shrink_to_16:
        pixels = step(pixels)
    return scale_to_paper_range(pixels)
