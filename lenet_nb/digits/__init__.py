"""The digits: MNIST as committed, any image checked and made like MNIST's, the distortions of
Section III-C and MNIST's own variation (chapters Input, Your own digits, Distortions)."""
