"""Rules of the signups feature."""
