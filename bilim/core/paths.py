"""Materialized paths of the org-unit tree.

A path is the concatenation of fixed-width decimal segments, the ids of the node's ancestors from
the root down and its own. Digit-only strings of one width compare the same way in every collation
(SQLite BINARY, PostgreSQL C or ICU), so the subtree of ``p`` is exactly the half-open range
``[p, upper(p))`` where ``upper`` adds one to the last segment — an index range scan on both
databases, with no LIKE and no recursion."""

SEGMENT_WIDTH = 10
_MAX = 10**SEGMENT_WIDTH


def segment(node_id: int) -> str:
    if not 0 < node_id < _MAX - 1:
        raise ValueError(f"id {node_id} does not fit a path segment")
    return f"{node_id:0{SEGMENT_WIDTH}d}"


def child_path(parent_path: str, node_id: int) -> str:
    return parent_path + segment(node_id)


def upper(path: str) -> str:
    """The smallest path greater than every path that starts with ``path``."""
    head, last = path[:-SEGMENT_WIDTH], int(path[-SEGMENT_WIDTH:])
    return head + segment(last + 1)


def ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT_WIDTH]) for i in range(0, len(path), SEGMENT_WIDTH)]


def next_prefix(digits: str) -> str | None:
    """The smallest digit string of the same length above every string that starts with ``digits``
    (``"3120"`` → ``"3121"``, ``"39"`` → ``"40"``); None for all nines (no upper bound needed)."""
    if not is_ascii_digits(digits):
        raise ValueError(digits)
    bumped = str(int(digits) + 1).zfill(len(digits))
    return bumped if len(bumped) == len(digits) else None


def is_ascii_digits(text: str) -> bool:
    """``str.isdigit`` accepts any Unicode digit ("²", "٣"); codes are ASCII digits only."""
    return text.isascii() and text.isdigit()
