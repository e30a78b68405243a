"""The network of Section II-B: its layers, the RBF's prototypes, LeNet-5 assembled (chapters C1
to Output)."""
