"""The Copper client: one async ``CopperClient`` for every Copper operation (no Qt here).

See ``client`` for the design (throttling, retries without duplicates, credentials).
"""

from . import errors
from .client import BULK_CHUNK, DEFAULT_BASE_URL, SINGULAR, CopperClient
from .errors import *  # noqa: F403  (every error type: errors.__all__, re-exported below)
from .events import ClientEvent, ClientStatus, Observer, RetryEvent
from .limiter import Backoff, RateLimits, RetryPolicy
from .results import BulkItemResult, BulkResult, ConversionResult
from .search import SearchPage, SearchWalk
from .secret import Credentials, Secret
from .transport import Timeouts

__all__ = [
    "BULK_CHUNK",
    "DEFAULT_BASE_URL",
    "SINGULAR",
    "Backoff",
    "BulkItemResult",
    "BulkResult",
    "ClientEvent",
    "ClientStatus",
    "ConversionResult",
    "CopperClient",
    "Credentials",
    "Observer",
    "RateLimits",
    "RetryEvent",
    "RetryPolicy",
    "SearchPage",
    "SearchWalk",
    "Secret",
    "Timeouts",
]
__all__ += errors.__all__
