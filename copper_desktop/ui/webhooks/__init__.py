"""webhooks: see docs/architecture.md."""
