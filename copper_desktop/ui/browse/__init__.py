"""browse: see docs/architecture.md."""
