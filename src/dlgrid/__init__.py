"""Keras experiment grids as a Snakemake workflow: sweeps, permutation, clocks."""

__version__ = "0.1.0"
