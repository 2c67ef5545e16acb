"""Models of the votes feature."""
