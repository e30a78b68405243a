"""Reading with a trained network: a digit of any size, with rejection (chapter Your own digits)."""
