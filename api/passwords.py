"""The password policy (NIST SP 800-63B-4, ADR 8): the one place that says which new
passwords are accepted. It applies whenever a password is set (a new account, a change, a
reset), never at sign-in, so that passwords set before it still sign in.

A password is at least 15 and at most 128 characters (each Unicode code point counts as
one), of any characters but NUL; there are no composition rules (no "one digit, one
capital"). It must not be easy to guess: zxcvbn's estimate, which knows tens of thousands
of common and breached passwords, words and names, and patterns (repeats, sequences,
keyboard rows, dates), and the person's own email and name, must reach a hundred million
guesses.
"""

from collections.abc import Iterable

from zxcvbn import zxcvbn

from api.problems import Invalid

MIN_LENGTH = 15
MAX_LENGTH = 128
# zxcvbn's score 3: at least 10^8 guesses, "safely unguessable" for an online attacker and
# well beyond what sign-in throttling lets anyone try.
MIN_GUESSES_LOG10 = 8
SERVICE_WORDS = ("assure", "safeguarding", "section 11")

RULES = (
    f"{MIN_LENGTH} to {MAX_LENGTH} characters, any characters you like (spaces too); "
    "not a common or easily guessed password, nor your email or name. "
    "A phrase of a few unrelated words is long and easy to remember."
)


def length_problem(password: str) -> str | None:
    """What is wrong with the password's length, in plain words; None when it is right."""
    if len(password) < MIN_LENGTH:
        return (
            f"must be at least {MIN_LENGTH} characters long (it has {len(password)}): "
            "a long password is the hardest to guess. Try a phrase of a few unrelated words"
        )
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters long (it has {len(password)})"
    return None


def problem(password: str, *, personal: Iterable[str] = ()) -> str | None:
    """Why the password is refused, in plain words; None when it is accepted.

    `personal` holds what is known of the person (email, name), which a password must not be.
    """
    too_long_or_short = length_problem(password)
    if too_long_or_short:
        return too_long_or_short
    context = [*SERVICE_WORDS, *(p for p in personal if p)]
    for known in context:
        local = known.split("@")[0]
        if password.strip().casefold() in (known.casefold(), local.casefold()):
            return "must not be your email, your name or the name of this service"
    estimate = zxcvbn(password, user_inputs=context, max_length=MAX_LENGTH)
    if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
        warning = estimate["feedback"]["warning"]
        why = f": {warning.rstrip('.')}" if warning else ""
        return (
            f"is too easy to guess{why}. Avoid common passwords, words, names and patterns "
            "(repeats, sequences, keyboard rows); a phrase of a few unrelated words is better"
        )
    return None


def require_acceptable(
    password: str, *, field: str = "password", personal: Iterable[str] = ()
) -> None:
    """Refuse (422, naming the field) a new password the policy does not accept."""
    why = problem(password, personal=personal)
    if why:
        raise Invalid({field: why})
