"""The job engine: journaled, resumable, rate-limit-aware runs of many writes (no Qt).

Why
===
Bulk edit, lead conversion, CSV import and their undo all write hundreds of records through a
rate limit of 180 requests a minute: minutes of work the app may be killed in the middle of.
So every such run is a **job**: a plan written to disk before the first request, and each
row's outcome appended as it completes. A killed app resumes the job without writing a row
twice, a finished job can be undone, and the ledger says what happened to every row.

Parts
=====
* :class:`JobStore` (``job_store``): creates jobs (``create_bulk_edit(preview)``,
  ``create_undo(job)``, generic ``create(kind, entity, rows)``), lists past jobs
  (:class:`JobSummary`), reopens unfinished ones; forwards every job's events.
* :class:`Job` (``engine``): ``start()`` / ``pause()`` / ``cancel()`` / ``retry_failed()``,
  ``progress()``, ``rows``, ``written_rows()``; observers get :class:`StateChanged`,
  :class:`RowsChanged`, :class:`ProgressChanged` and :class:`RecordsWritten`.
* Row kinds (``kinds``): what a row means and how it is checked and written. Built in:
  ``record_update`` (bulk edit, and its undo guarded on values); ``lead_conversion`` and its
  best-effort ``conversion_revert`` (``conversion``, created by
  ``JobStore.create_conversion(plan rows)``; ``conversion_plan.plan_conversions`` looks up
  the plan's candidate companies and duplicate people). Import will :func:`register` its own.
* :func:`write_ledger_csv` / :func:`export_ledger`: the ledger as RFC 4180 CSV.
* :func:`fetch_records`: the selection fresh from Copper (``ids`` searches of 200), for
  ``copper_desktop.domain.bulk.preview``.

Rules the engine keeps
======================
* Nothing is sent before the plan is durable on disk; a ``start`` line is durable before each
  request; the outcome is appended after the answer.
* Just before writing, rows are checked against Copper (record updates: one ``ids`` search
  per 200 rows): a record whose ``date_modified`` moved since the preview is skipped as a
  conflict; one already holding the new values is skipped (``no change``), or, if a request
  for it had been sent (``start`` without an outcome: a crash or a lost answer), counted as
  written without sending it again.
* A 422, 404 or 403 fails that row with Copper's message and the job goes on; the key being
  refused, or Copper staying unavailable after the client's retries (5xx, network, 429),
  pauses the job with the reason: resuming re-checks the rows that were out.
* The client's one limiter paces every request (bulk_update, 10 records a request, where Copper
  has it: people, companies, leads; concurrent PUTs elsewhere); the engine adds no second
  limiter, only bounded concurrency so that pause and cancel act within a few requests.

Journal format
==============
``<data dir>/jobs/<job id>.jsonl``, folder 0700, file 0600, append-only, one JSON object per
line, each with ``"v": 1`` and ``"e"`` (the event); every append is fsync'd. A torn last line
(crash mid-write) is ignored. Lines in order:

``job``      id, kind, entity, title, created_at, meta (the plan: operations, guard, field
             types and labels), [undo_of]
``row``      i (0-based, consecutive), key (record id), label, data (kind's own; for
             record_update: id, date_modified as previewed, before and after of the changed
             fields, catalog keys, ``cf_<id>`` for custom fields)
``planned``  rows (count): the plan is complete; a journal without it is ignored (nothing was
             sent for it)
``state``    state (running, paused, cancelled, finished), [message]
``start``    rows (indices): a request for these rows is about to leave
``done``     items: [{i, status (written|failed|skipped), [reason], [message], [result],
             [recovered]}]
``retry``    rows: these failed rows are pending again ("Retry failed")
``link``     undo (id of the job undoing this one)

A job's state is folded from these lines: the last ``done`` of a row is its outcome (unless a
later ``retry`` names it), ``start`` lines count its attempts, and the last ``state`` line is
the job's state (``running`` at load time means the process died: *interrupted*).
"""

from . import model
from .conversion import ConversionClient, ConversionRevert, LeadConversion
from .conversion_plan import candidate_companies, people_by_email, plan_conversions
from .engine import Job, JobError
from .job_store import JobAdded, JobStore, JobSummary, export_ledger, write_ledger_csv
from .journal import JobBusyError, JobJournal, JournalData, read_journal
from .kinds import (
    KINDS,
    JobClient,
    JobHalted,
    RecordUpdate,
    RowKind,
    failure_outcome,
    fetch_records,
    register,
)
from .model import *  # noqa: F403  (its __all__, added below, names them once)
from .model import REASON_TEXT
from .record_create import RecordCreate  # registers the kind, so its jobs reopen after a restart

__all__ = [
    "KINDS",
    "REASON_TEXT",
    "ConversionClient",
    "ConversionRevert",
    "Job",
    "JobAdded",
    "JobBusyError",
    "JobClient",
    "JobError",
    "JobHalted",
    "JobJournal",
    "JobStore",
    "JobSummary",
    "JournalData",
    "LeadConversion",
    "RecordCreate",
    "RecordUpdate",
    "RowKind",
    "candidate_companies",
    "export_ledger",
    "failure_outcome",
    "fetch_records",
    "people_by_email",
    "plan_conversions",
    "read_journal",
    "register",
    "write_ledger_csv",
]
__all__ += model.__all__
