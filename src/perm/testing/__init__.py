"""Test and benchmark helpers shipped with the package (stub judge server)."""
