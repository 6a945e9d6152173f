"""Runs one job in its own process, for the kill test: ``python -m tests.helpers.child_run
<jobs dir> <job id> <base url>``; the user's email and token come from the environment
(COPPER_TEST_EMAIL, COPPER_TEST_TOKEN), never the command line."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from copper_desktop.api import CopperClient, RateLimits
from copper_desktop.jobs import JobStore
from tests.helpers.clients import FAST_RETRY

SLOW_BULK = RateLimits(per_window=100_000, window_s=60.0, bulk_per_window=2, bulk_window_s=1.0)
"""Two bulk requests a second: slow enough to be killed half way."""


async def main(jobs_dir: str, job_id: str, base_url: str) -> int:
    email, token = os.environ["COPPER_TEST_EMAIL"], os.environ["COPPER_TEST_TOKEN"]
    async with CopperClient(
        email, token, base_url=base_url, retry=FAST_RETRY, limits=SLOW_BULK
    ) as client:
        store = JobStore(Path(jobs_dir), client)
        job = await store.open(job_id)
        print("running", flush=True)
        state = await job.start()
        print(state.value, flush=True)
        await store.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:4])))
