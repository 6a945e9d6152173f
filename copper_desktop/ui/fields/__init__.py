"""fields: see docs/architecture.md."""
