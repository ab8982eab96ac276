"""What an organiser password must be: 12 characters or more, and hard to guess by
zxcvbn's estimate. Every way of setting one goes through `check_password_strength`."""
from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
# zxcvbn's 3 is "safely unguessable" (about 10^8 guesses or more) against an online attack.
MIN_SCORE = 3
# zxcvbn's time grows quickly with length; a password is judged by its first 100 characters.
JUDGED_LENGTH = 100


class WeakPassword(ValueError):
    """The password is refused; the message says why and how to choose a better one."""


def check_password_strength(password: str, user_inputs: Iterable[str] = ()) -> None:
    """Raise WeakPassword, with zxcvbn's warning and suggestions, unless the password is
    long enough and scores at least MIN_SCORE. `user_inputs` are words an attacker would
    try first: the organiser's address and name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )
    result = zxcvbn(password[:JUDGED_LENGTH], user_inputs=[w for w in user_inputs if w])
    if result["score"] >= MIN_SCORE:
        return
    feedback = result["feedback"]
    advice = [feedback["warning"], *feedback["suggestions"]]
    raise WeakPassword(" ".join(["That password is too easy to guess.",
                                 *(line for line in advice if line)]))


def personal_words(email: str, name: str = "") -> list[str]:
    """The address, its parts and the name: what a guesser tries before the dictionary."""
    local_part = email.partition("@")[0]
    return [email, local_part, *local_part.replace("_", ".").split("."), name, *name.split()]
