"""A follow-up that reads as written after the event, and an event that has not started.

The rule is small on purpose: it looks for thanks for being there ("thank you for coming",
"thanks for attending", "thanks to everyone who came", "great to see you") in the subject
or the message. A match before the event starts asks the organiser to confirm; it never
refuses, because the words can be meant ("thanks for coming early to set up").
"""
from __future__ import annotations

import re

from ..models import FollowUp

_BEING_THERE = (r"coming|came|attending|attended|joining|joined|being\s+there|"
                r"being\s+with\s+us|taking\s+part|took\s+part|turning\s+up|showing\s+up")
THANKS_FOR_COMING = re.compile(
    rf"\b(?:thanks|thank\s+you|thankyou|grateful)\b[^.!?\n]{{0,40}}?\b(?:{_BEING_THERE})\b"
    r"|\b(?:great|lovely|good|nice|wonderful)\s+to\s+(?:see|meet)\s+(?:you|so\s+many)",
    re.IGNORECASE,
)


def thanks_people_for_coming(follow_up: FollowUp) -> bool:
    """Whether the subject or message thanks people for having been there."""
    return bool(THANKS_FOR_COMING.search(f"{follow_up.subject}\n{follow_up.message}"))


def needs_confirmation_before_start(follow_up: FollowUp) -> bool:
    """Sending it now would thank people for an event they have not been to yet."""
    return not follow_up.event.has_started() and thanks_people_for_coming(follow_up)
