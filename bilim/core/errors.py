"""Domain errors: a stable machine code, a message in the user's language, and per-field reasons."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, message: str, *, fields: dict[str, str] | None = None, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = {name: str(reason) for name, reason in (fields or {}).items()}
        self.status = status

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["errors"] = [{"field": name, "message": reason} for name, reason in self.fields.items()]
        return body
