"""Every aidetl exception: one root, the builtin it refines, and a pickle round trip that
keeps its type, message and attributes (a worker process raising one must not break)."""

from __future__ import annotations

import pickle

import pytest

import aidetl.extract.numerals
import aidetl.parse  # noqa: F401  (defines NotArticleError)
from aidetl import errors
from aidetl.errors import AidetlError


def all_classes() -> list[type[AidetlError]]:
    found, todo = [], [AidetlError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


def example(cls: type[AidetlError]) -> AidetlError:
    if issubclass(cls, errors.FetchError):
        return cls("http://example.test/a", "went wrong", 503, retry_after=2.5)
    if issubclass(cls, errors.WarehouseError):
        return cls("/tmp/w.duckdb", "went wrong")
    return cls("went wrong")


@pytest.mark.parametrize("cls", all_classes(), ids=lambda c: c.__name__)
def test_every_exception_survives_a_pickle_round_trip(cls):
    error = example(cls)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert (str(back), back.args, vars(back)) == (str(error), error.args, vars(error))


def test_the_classes_found_include_those_defined_outside_errors_py():
    names = {c.__name__ for c in all_classes()}
    assert {"NotArticleError", "NumeralError", "WorkerDied", "FetchTimeout"} <= names
    assert aidetl.extract.numerals.NumeralError in all_classes()


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.ConfigError, ValueError),
        (errors.ParseError, ValueError),
        (errors.ExtractError, ValueError),
        (errors.DiscoveryError, ValueError),
        (errors.FetchTimeout, TimeoutError),
        (errors.ConnectTimeout, TimeoutError),
        (errors.FetchConnectionError, ConnectionError),
        (errors.TruncatedError, ConnectionError),
        (errors.WarehouseLocked, TimeoutError),
        (errors.MissingFromArchive, KeyError),
        (errors.WorkerDied, RuntimeError),
    ],
)
def test_each_error_is_also_the_builtin_it_refines(cls, builtin):
    assert issubclass(cls, AidetlError) and issubclass(cls, builtin)


def test_an_os_error_based_class_does_not_read_its_arguments_as_errno_and_filename():
    error = errors.StallTimeout("http://example.test/a", "silent", 200)
    assert str(error) == "http://example.test/a: silent"
    assert (error.errno, error.filename) == (None, None)  # the CLI prints "cannot read <filename>"


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (errors.BadStatusError("u", "HTTP 503", 503), True),
        (errors.BadStatusError("u", "HTTP 502", 502), True),
        (errors.BadStatusError("u", "HTTP 404", 404), False),
        (errors.ConnectTimeout("u", "no connection"), True),
        (errors.BudgetSpent("u", "spent"), False),
        (errors.TruncatedError("u", "short"), True),
        (errors.FetchConnectionError("u", "refused"), True),
        (errors.RunStopped("u", "stopped"), False),
        (errors.DisallowedError("u", "robots.txt"), False),
        (errors.TooLargeError("u", "big"), False),
    ],
)
def test_a_fetch_failure_says_whether_another_try_may_help(error, retryable):
    assert error.retryable is retryable


def test_unknown_keywords_are_refused():
    with pytest.raises(TypeError):
        errors.ConfigError("x", colour="red")


def test_a_recorded_failure_is_classified_by_its_class_not_its_name_alone():
    assert errors.recorded_as("DisallowedError", errors.DisallowedError)
    assert errors.recorded_as("ConnectTimeout", errors.FetchTimeout)  # a subclass counts
    assert errors.recorded_as("ConnectTimeout", TimeoutError)
    assert not errors.recorded_as("BadStatusError", errors.DisallowedError)
    assert not errors.recorded_as("SomethingElse", errors.DisallowedError)
    assert not errors.recorded_as(None, errors.DisallowedError)
