"""The studies whose committed results the book loads: runs over seeds, the ablation, baselines,
rejection, invariance, cost, benchmarks, and the paper's published numbers (chapters Training,
Results, Invariance, Ablation)."""
