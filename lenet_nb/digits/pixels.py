"""The pixels a reader brings, checked: a PIL grey image, a NumPy array or a torch tensor."""

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision.transforms.v2.functional import to_dtype

COLOUR = (
    "colour images are refused: LeNet-5 reads grey levels; convert first, e.g. "
    "PIL's image.convert('L') or the mean over the channel axis"
)


def open_image(path) -> Image.Image:
    """An image file (a path or a file object) as grey, PIL mode 'L' (colour by PIL's convert,
    ITU-R 601-2 luma), or 'LA' when it has transparency, which ``flatten_alpha`` then
    composites. A photo is turned upright first, as its EXIF orientation says (a phone's JPEG is
    often stored sideways)."""
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        if "A" in image.getbands() or "transparency" in image.info:
            return image.convert("RGBA").convert("LA")
        return image.convert("L")


def flatten_alpha(image: Image.Image) -> Image.Image:
    """A grey image with transparency ('LA') composited onto a background: mode 'L'.

    The background contrasts with the ink, so that transparent paper never hides the digit:
    white (255) unless the visible pixels are light (their alpha-weighted mean grey level is
    above 127.5), then black (0). A fully opaque image keeps its grey levels; a fully transparent
    one becomes plain white, an empty page. ``normalise.js`` (``flattenAlpha``) does the same.
    """
    grey, alpha = (np.asarray(band, dtype=np.float64) for band in image.split())
    return Image.fromarray(_round(composite(grey, alpha)).astype(np.uint8))


def composite(grey: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``flatten_alpha``'s rule on arrays of 0-255 values (float)."""
    opacity = alpha / 255
    visible = opacity.sum()
    light_ink = visible > 0 and (grey * opacity).sum() / visible > 127.5
    background = 0.0 if light_ink else 255.0
    return grey * opacity + background * (1 - opacity)


def _round(values: np.ndarray) -> np.ndarray:
    """Round half up, as JavaScript's Math.round does (NumPy rounds half to even)."""
    return np.floor(values + 0.5)


def as_pixel_tensor(images) -> torch.Tensor:
    """The pixels as a tensor of their own dtype, checked: integers in 0-255 or floats in [0, 1].

    A PIL image must be grey ('L'), or grey with transparency ('LA', flattened by
    ``flatten_alpha``).
    """
    if isinstance(images, Image.Image):
        if images.mode == "LA":
            images = flatten_alpha(images)
        if images.mode != "L":
            raise ValueError(
                f"a PIL image in mode {images.mode!r}: LeNet-5 reads grey levels; "
                "convert it first with image.convert('L') (digits white on black, "
                "as in MNIST)"
            )
        images = np.asarray(images)
    if isinstance(images, np.ndarray):
        if not (
            np.issubdtype(images.dtype, np.integer) or np.issubdtype(images.dtype, np.floating)
        ):
            raise TypeError(
                f"images of dtype {images.dtype}: expected uint8 (0-255) or float "
                "(0-1) pixel values"
            )
        images = torch.from_numpy(np.array(images))  # a copy: PIL arrays are read-only
    if not isinstance(images, torch.Tensor):
        raise TypeError(
            f"expected a PIL image, a NumPy array or a torch tensor, not {type(images).__name__}"
        )
    if images.dtype == torch.bool or images.is_complex():
        raise TypeError(f"images of dtype {images.dtype}: expected uint8 (0-255) or float (0-1)")
    if images.numel() == 0:
        raise ValueError(f"images of shape {tuple(images.shape)}: there are no pixels")
    if images.is_floating_point():
        if not torch.isfinite(images).all():
            raise ValueError("images contain NaN or infinite pixel values")
        if images.min() < 0 or images.max() > 1:
            raise ValueError(
                "float images must hold pixel values in [0, 1] (got "
                f"[{images.min().item():.3g}, {images.max().item():.3g}]); pass "
                "uint8 for 0-255, or divide by 255"
            )
    elif images.min() < 0 or images.max() > 255:
        raise ValueError("integer images must hold pixel values in 0-255")
    return images


def to_unit(pixels: torch.Tensor) -> torch.Tensor:
    """Checked pixels (``as_pixel_tensor``) as float32 in [0, 1]."""
    if pixels.is_floating_point():
        return pixels.float()
    # The same conversion as the training data's, to the last bit.
    return to_dtype(pixels.to(torch.uint8), torch.float32, scale=True)
