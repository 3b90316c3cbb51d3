import pytest

from portfolio.accounts.passwords import password_problem


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short7!", "at least 8 characters"),
        ("password", "most commonly used"),
        ("Password1", "most commonly used"),
        ("qwertyuiop", "most commonly used"),
        ("aaaaaaaaaaaa", "too few characters"),
        ("x" * 300, "at most 256"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in password_problem(password)


@pytest.mark.parametrize(
    "password",
    ["fresh-orange-kettle", "all lower case is fine", "12345678 but longer words", "Zz9!Zz9!q"],
)
def test_any_uncommon_password_of_eight_or_more_characters_is_accepted(password):
    assert password_problem(password) is None


def test_own_name_or_email_is_refused():
    assert "your name or email" in password_problem(
        "aishakhan", email="aisha@example.org", name="Aisha Khan"
    )
