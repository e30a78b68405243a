"""The book itself: what the chapters share, how notebooks are executed, figures and widgets."""
