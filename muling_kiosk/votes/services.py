"""Rules of the votes feature."""
