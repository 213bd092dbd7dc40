"""Errors a user can cause. One handler turns them into a 400 for the API and a form error in the browser."""


class ApplicationError(Exception):
    """A business rule refused the request; `message` is translatable and shown to the user."""

    def __init__(self, message, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}
