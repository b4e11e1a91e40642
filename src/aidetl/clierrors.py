"""What the command line tells a person when something they gave it cannot be used.

Every expected failure becomes one line on stderr, naming what failed and what to do, and
one of the documented exit codes below. Tracebacks are for bugs: an unexpected exception
is one line too, and `aidetl -v …` shows its traceback.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from aidetl.errors import (
    AidetlError,
    ConfigError,
    MigrationError,
    SchemaTooNew,
    WarehouseCorrupt,
    WarehouseError,
    WarehouseLocked,
)

EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug: please report it with the output of `aidetl -v …`
EXIT_USAGE = 2  # bad arguments or input: a missing file, a bad date, an unknown source, bad SQL
EXIT_PAGES_FAILED = 3  # `aidetl run` finished, but some pages failed (they are in `fetches`)
EXIT_WAREHOUSE = 4  # the warehouse file cannot be used: locked, corrupt, newer, migration failed
EXIT_INTERRUPTED = 130  # Ctrl-C

EXIT_CODES_HELP = (
    "Exit codes: 0 done; 1 internal error (rerun with -v for the traceback); 2 bad "
    "arguments or input (missing file, bad date, unknown source, bad SQL); 3 run finished "
    "but pages failed; 4 warehouse unusable (locked, corrupt, newer, failed migration)."
)

QUERY_HINT = (
    'fix the SQL; `aidetl sql "SELECT table_name FROM information_schema.tables"` '
    "lists the tables and views"
)
# What to do, per failure; the most specific class listed first wins.
HINTS: tuple[tuple[type[BaseException], str], ...] = (
    (WarehouseLocked, "wait for the other process to finish, or pass --warehouse FILE"),
    (SchemaTooNew, "upgrade aidetl, or pass --warehouse FILE"),
    (WarehouseCorrupt, "move it aside or restore a backup, or pass --warehouse FILE"),
    (MigrationError, "nothing was changed; report the error with `aidetl -v migrate`"),
    (WarehouseError, "or pass --warehouse FILE"),
    (ConfigError, "check --source and the sources file, or pass --sources FILE"),
    (UnicodeDecodeError, "give a UTF-8 text file, or an HTML page with --html"),
    (OSError, "check the path and its permissions"),
)


@dataclass(frozen=True, slots=True)
class Failure:
    """One line for the user and the exit code that goes with it."""

    message: str
    code: int


def describe(exc: BaseException) -> Failure:
    """The one-line message and exit code for an exception raised by a command."""
    if isinstance(exc, KeyboardInterrupt):
        return Failure("interrupted", EXIT_INTERRUPTED)
    text = with_hint(what_failed(exc), hint_for(exc))
    if isinstance(exc, WarehouseError) and type(exc) is not WarehouseError:
        return Failure(text, EXIT_WAREHOUSE)  # any specific warehouse failure, present or future
    if isinstance(exc, AidetlError | OSError | ValueError):
        return Failure(text, EXIT_USAGE)
    return Failure(
        f"internal error: {text} (rerun with -v to see the traceback, and report it)",
        EXIT_INTERNAL,
    )


def with_hint(text: str, hint: str) -> str:
    """`text (hint)`, leaving out what the message already says: "upgrade aidetl, or pass
    --warehouse FILE" after a message that says "upgrade aidetl" adds only the second part."""
    first, _, rest = hint.partition(", or ")
    if rest and first in text:
        hint = f"or {rest}"
    return f"{text} ({hint})" if hint and hint not in text else text


def hint_for(exc: BaseException) -> str:
    """What to do about `exc`: the hint of its most specific class in HINTS."""
    if type(exc) is WarehouseError and "query failed" in str(exc):
        return QUERY_HINT
    return next((hint for cls, hint in HINTS if isinstance(exc, cls)), "")


def what_failed(exc: BaseException) -> str:
    """The exception as one line: OS errors name their file, messages lose their newlines."""
    if isinstance(exc, UnicodeDecodeError):
        text = f"not UTF-8 text (byte {exc.start}: {exc.reason})"
    elif isinstance(exc, OSError) and exc.filename is not None:
        text = f"cannot read {exc.filename}: {exc.strerror or exc}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def report(exc: BaseException, prog: str = "aidetl") -> int:
    """Print the one line for `exc` to stderr; return its exit code."""
    failure = describe(exc)
    print(f"{prog}: error: {failure.message}", file=sys.stderr)
    return failure.code
