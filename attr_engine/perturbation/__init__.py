"""Perturbation attribution methods."""

__all__: list = []
