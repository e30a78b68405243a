"""The LeNet that tutorials call LeNet-5, for comparison with the paper's network."""
from torch import nn


class TutorialLeNet5(nn.Module):
    """ReLU, max-pooling, fully connected C3, a linear 10-way output trained with softmax
    cross-entropy: the common simplification, with the same 32x32 input and layer widths."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 120, 5), nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), nn.ReLU(),
                                        nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
