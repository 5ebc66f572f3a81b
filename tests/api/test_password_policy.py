"""The password policy's rules, without a database (NIST SP 800-63B-4; ADR 8)."""

import pytest

from api import passwords
from api.problems import Invalid

PERSON = ["jane.smith@york.example", "Jane Smith"]


@pytest.mark.parametrize(
    "password",
    [
        "a long password",  # 15 characters: the shortest accepted
        "correct horse battery staple",
        "lowercase only and no digits",  # no composition rules
        "ÉTÉ à Scarborough, 大丈夫 🙂",  # any characters: Unicode, spaces, punctuation
        "   spaces count too, all of them   ",
        "w" * 3 + "ild orchids by the ouse, " * 4 + "x" * 25,  # 128: the longest accepted
    ],
)
def test_long_hard_to_guess_passwords_are_accepted(password):
    assert len(password) <= passwords.MAX_LENGTH
    assert passwords.problem(password, personal=PERSON) is None
    passwords.require_acceptable(password, personal=PERSON)  # does not raise


def test_length_counts_characters_not_bytes():
    assert passwords.length_problem("é" * 15) is None  # 30 bytes in UTF-8, 15 characters
    assert "at least 15" in (passwords.length_problem("é" * 14) or "")


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short", "at least 15 characters long (it has 5)"),
        ("fourteen chars", "at least 15 characters long (it has 14)"),
        ("x" * 129, "at most 128 characters long (it has 129)"),
        ("passwordpassword", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess: Repeats"),
        ("1234567890123456", "too easy to guess"),
        ("qwertyuiopasdfgh", "too easy to guess"),
        ("Password12345678", "too easy to guess"),
        ("123456789987654321", "too easy to guess"),  # on the common-password list
        ("jane.smith@york.example", "must not be your email, your name"),
        ("JANE.SMITH@YORK.EXAMPLE", "must not be your email, your name"),
        ("janesmithjanesmith", "too easy to guess"),
        ("jane.smith@york.example1", "too easy to guess"),
    ],
)
def test_short_long_common_and_personal_passwords_are_refused_saying_why(password, says):
    why = passwords.problem(password, personal=PERSON)
    assert why is not None and says in why
    with pytest.raises(Invalid) as refused:
        passwords.require_acceptable(password, field="new_password", personal=PERSON)
    assert [(e.field, e.message) for e in refused.value.errors] == [("new_password", why)]


def test_the_persons_email_is_refused_only_for_that_person():
    assert passwords.problem("jane.smith@york.example", personal=PERSON) is not None
    assert passwords.problem("ridings.moor@york.example") is None
