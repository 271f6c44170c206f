"""Shared machinery: input normalisation, batching, progress, hooks, base classes, registry."""
