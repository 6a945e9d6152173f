"""A Copper-compatible sandbox server: real HTTP on loopback, SQLite-backed, seeded demo data.

It shares no code with the client side (``api/``, ``domain/``, ``models/``, ``ui/``) so that
each checks the other. Importable: ``SandboxServer(SandboxConfig(port=0)).start()`` runs it in
a background thread for the app and the tests.
"""
