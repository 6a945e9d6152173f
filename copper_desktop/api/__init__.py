"""The Copper client: one async ``CopperClient`` for every Copper operation (no Qt here).

See ``client`` for the design (throttling, retries without duplicates, credentials).
"""

from .client import BULK_CHUNK, DEFAULT_BASE_URL, SINGULAR, CopperClient
from .errors import (
    AuthenticationError,
    CopperError,
    FeatureNotEnabledError,
    FieldError,
    InsecureURLError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
)
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
    "AuthenticationError",
    "Backoff",
    "BulkItemResult",
    "BulkResult",
    "ClientEvent",
    "ClientStatus",
    "ConversionResult",
    "CopperClient",
    "CopperError",
    "Credentials",
    "FeatureNotEnabledError",
    "FieldError",
    "InsecureURLError",
    "MalformedResponseError",
    "NetworkError",
    "NotFoundError",
    "Observer",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RateLimits",
    "RequestTimeoutError",
    "RetryEvent",
    "RetryPolicy",
    "SearchPage",
    "SearchWalk",
    "Secret",
    "ServerError",
    "Timeouts",
    "ValidationError",
]
