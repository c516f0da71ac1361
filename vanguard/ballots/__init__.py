"""Secret ballot boxes: sealed while open, counted and erased at close (docs/BALLOTS.md)."""
