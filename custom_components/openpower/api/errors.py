"""The one exception hierarchy every provider client raises.

Messages never contain a secret, a URL with credentials or a full personal identifier: they end up
in translated Home Assistant errors and in logs.
"""


class ApiError(Exception):
    """Base class of every error raised by an OpenPower API client.

    `code` is the provider's own error code, when the answer carried one (AlphaESS's 6017,
    Enedis's ADAM-DC-0008): what a caller tells errors of one class apart by.
    """

    code: int | str | None

    def __init__(self, message: str = "", code: int | str | None = None) -> None:
        """Keep the provider's code."""
        super().__init__(message)
        self.code = code


class ApiAuthError(ApiError):
    """The credentials were rejected (expired, revoked or wrong): only the user can fix this."""


class ApiRateLimitedError(ApiError):
    """The provider (or our own request budget) says to wait before the next request."""

    def __init__(self, message: str, retry_after: float) -> None:
        """Keep how many seconds to wait."""
        super().__init__(message)
        self.retry_after = retry_after


class ApiConnectionError(ApiError):
    """The provider could not be reached, timed out or answered with a server error."""


class ApiResponseError(ApiError):
    """The provider answered with something we cannot use (malformed body, unknown shape)."""


class ApiRejectedError(ApiResponseError):
    """The provider refused the request itself (a 4xx other than auth, not found, rate limit).

    Its answer's text is not kept: some providers echo the account's email in it.
    """


class ApiNotFoundError(ApiResponseError):
    """The resource asked for does not exist (for example a closed or deleted site)."""


class ApiMaintenanceError(ApiConnectionError):
    """The provider says its service is down for maintenance."""


class ApiCertificateError(ApiError):
    """A client certificate, its key or a CA cannot be used; `reason` says why.

    `reason` is the form error and translation key (`certificate_expired`, `invalid_key`, …).
    """

    def __init__(self, reason: str, message: str) -> None:
        """Keep the reason; the message is short and never holds key material."""
        super().__init__(message)
        self.reason = reason

    @property
    def expired(self) -> bool:
        """Whether the certificate was fine until it expired (a new one fixes it)."""
        return self.reason == "certificate_expired"
