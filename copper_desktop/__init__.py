"""Copper Desktop: a native desktop client for the Copper CRM Developer API."""

__version__ = "0.1.0"
