"""Ported from MLRun's ``mlrun/utils/helpers.py`` (``normalize_name``: white space and ``_`` become ``-``,
upper case lower, with a warning), ``mlrun/launcher/base.py`` (a run name given by the user is normalised
with a warning, one made from the handler's name silently), ``tests/utils/test_helpers.py``
(``test_run_name_regex``, ``test_normalize_username``) and ``mlrun/projects/project.py``
(``user_project=True`` adds the normalised user name).

Only the import is changed (``import runlab as mlrun``).
"""

from __future__ import annotations

import warnings

import pytest

import runlab as mlrun


def train_Model(context):  # noqa: N802 - MLRun normalises such handler names into run names
    context.log_result("ok", 1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("asd", "asd"),
        ("Asd", "asd"),
        ("AsA", "asa"),
        ("As-123_2", "as-123-2"),
        ("my func", "my-func"),
        ("azsxdcfvg-azsxdcfvg-azsxdcfvg-azsxdcfvg-azsxdcfvg-azsxdcfvg-azs", None),
    ],
)
def test_run_name_is_normalised(name, expected):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = mlrun.new_function().run(name=name, handler=train_Model)
    assert run.metadata.name == (expected or name)
    assert bool(caught) == (expected is not None and expected != name), "a warning only when the name changed"


@pytest.mark.parametrize(
    "name",
    [
        "-As-123_2",  # Invalid because the first letter is -
        "As-123_2A$a",  # Invalid because $ is not allowed
        "azsxdcfvg-azsxdcfvg-azsxdcfvg-azsxdcfvg-azsxdcfvg-azsxdcfvg-azsx",  # more than 63 characters
        "As-123_2.8A",  # MLRun accepts dots in run names; runlab's names are file and URL parts, so it does not
    ],
)
def test_run_name_that_stays_invalid_is_refused(name):
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError):
        mlrun.new_function().run(name=name, handler=train_Model)
    assert len(mlrun.get_run_db().list_runs()) == 0


def test_default_run_name_from_handler_is_normalised_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = mlrun.new_function(name="trainer").run(handler=train_Model)
    assert run.metadata.name == "trainer-train-model"


def test_function_name_with_underscore_warns():
    with pytest.warns(UserWarning, match="'my_func' becomes 'my-func'"):
        fn = mlrun.new_function(name="my_func")
    assert fn.metadata.name == "my-func"


@pytest.mark.parametrize(
    "username, expected_normalized_username",
    [
        ("test", "test"),
        # ensure ends with alphanumeric
        ("test.", "test"),
        ("test-", "test"),
        # lowercase
        ("TestUser", "testuser"),
        # remove special characters
        ("UserName!@#$", "username"),
        # dasherize
        ("user_name", "user-name"),
        ("User-Name_123", "user-name-123"),
        # everything with @ (email-like username)
        ("User_Name@domain.com", "user-name"),
        ("user@domain.com", "user"),
        ("user.name@example.com", "username"),
        ("user_name@example.com", "user-name"),
    ],
)
def test_normalize_username(monkeypatch, username, expected_normalized_username):
    monkeypatch.setenv("V3IO_USERNAME", username)
    project = mlrun.get_or_create_project("proj", user_project=True)
    assert project.metadata.name == f"proj-{expected_normalized_username}"


def test_project_names_are_not_normalised():
    """MLRun validates project names (``validate_project_name``) and refuses what does not match."""
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError, match="project name"):
        mlrun.new_project("My_Project")
