"""LeNet-5 as LeCun, Bottou, Bengio & Haffner (1998) built and trained it."""
from .runtime import device, seed_everything
