"""The one "argument > environment > default" rule."""

from __future__ import annotations

from vpc_cidr_analysis.settings import from_environment, resolve, resolve_all


def test_argument_then_environment_then_default() -> None:
    env = {"A": "from-env", "EMPTY": ""}
    assert resolve("given", "A", "default", env) == "given"
    assert resolve("", "A", "default", env) == ""  # an explicit '' is an argument
    assert resolve(None, "A", "default", env) == "from-env"
    assert resolve(None, "MISSING", "default", env) == "default"
    assert resolve(None, "EMPTY", "default", env) == "default"  # empty counts as unset
    assert resolve(None, "EMPTY", "default", env, empty_is_set=True) == ""


def test_first_variable_set_wins() -> None:
    env = {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "us-east-2"}
    assert from_environment(("AWS_REGION", "AWS_DEFAULT_REGION"), env) == "us-east-2"
    assert from_environment(("NOPE", "AWS_DEFAULT_REGION"), env) == "eu-west-1"
    assert from_environment("NOPE", env) is None


def test_resolve_all_leaves_out_what_has_no_value() -> None:
    env = {"DAYS": "7", "TOPIC": ""}
    got = resolve_all(
        {"days": 30, "top": "", "name": None},
        {"days": "DAYS", "top": "TOP", "topic": "TOPIC", "name": "NAME"},
        {"top": "10"},
        env,
    )
    assert got == {"days": "30", "top": "10"}
