"""Training (Section II-C, Appendix C): the losses, SDLM with its curvature estimate, a run's
configuration, the loop, checkpoints and the committed networks (chapter Training)."""
