"""Shared test helpers and fixtures, in one place.

Fixture modules (registered once, by ``pytest_plugins`` in ``tests/conftest.py``):
``sandbox`` (the live sandbox, its control API, HTTP clients on it), ``clients`` (API clients
on the sandbox), ``loop`` (the session-wide qasync loop and the stray-task guard), ``qt``
(sessions and windows on the sandbox), ``jobs`` (job stores and the fake job kind).
Plain modules: ``fakes`` (fakes at the API seam), ``editor`` (field editor and record editor
helpers), ``http`` (loopback servers, auth headers, answer checks), ``data`` (tests/data),
``records`` (records made on the sandbox), ``child_run`` (a job run in its own process).

Folder conftests keep only what is specific to their folder (autouse fixtures, hooks).
"""
