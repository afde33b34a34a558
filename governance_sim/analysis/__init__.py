"""Comparing runs: statistics over replications and the figures that show them."""
