"""Rules of the suggestions feature."""
