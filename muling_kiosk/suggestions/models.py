"""Models of the suggestions feature."""
