"""Layer attribution methods."""

__all__: list = []
