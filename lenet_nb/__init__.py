"""LeNet-5 as LeCun, Bottou, Bengio & Haffner (1998) built and trained it."""
from .predict import as_model_input, load_history, load_model, predict
from .layers import C3_TABLE, EuclideanRBF, SparseConvolutionLayer, SubsamplingLayer
from .model import LeNet5, summary
from .runtime import device, seed_everything

__all__ = ["C3_TABLE", "EuclideanRBF", "LeNet5", "SparseConvolutionLayer", "SubsamplingLayer",
           "as_model_input", "device", "load_history", "load_model", "predict", "seed_everything",
           "summary"]
