"""Models of the signups feature."""
