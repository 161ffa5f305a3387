"""Tools for building the project (not part of the orderflow package)."""
