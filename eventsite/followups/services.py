"""Follow-ups: a message, slides and links for an event's attendees after it.

An organiser composes a follow-up, previews it, sends a test to themself, then sends
it: one outbox message per person, with the de-duplication key
`follow-up:<follow-up id>:booking:<booking id>`. So sending it again, or a replayed
request, emails nobody twice, and a second send reaches only people added since. The
follow-up's sent, pending and failed counts are those of the messages under that key
prefix; test messages use another prefix and are not counted.

Each service flushes; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template

from .. import audit
from ..bookings.followup_links import list_unsubscribe_headers, unsubscribe_url
from ..database import utcnow
from ..extensions import db
from ..models import (
    Booking,
    BookingStatus,
    Event,
    FollowUp,
    FollowUpAudience,
    Organiser,
    OutboxMessage,
    OutboxStatus,
    Resource,
)
from ..outbox.messages import Attachment, mailbox, queue_email
from ..outbox.services import messages_with_key_prefix
from ..web.urls import absolute_url

MB = 1024 * 1024
ATTACH_MAX_BYTES = 5 * MB  # larger files go as a link to the event page's download
AUDIENCES = {
    FollowUpAudience.CHECKED_IN: "People who came (checked in)",
    FollowUpAudience.MISSED: "People who booked but did not come",
    FollowUpAudience.CONFIRMED: "Everyone with a confirmed place",
}
TEST_PREFIX = "[Test] "


class FollowUpRefused(ValueError):
    """The follow-up cannot be saved or sent as it is; the message says why."""


@dataclass
class FollowUpContent:
    """What every copy of a follow-up carries: links, and files small enough to attach."""

    links: list[tuple[str, str]] = field(default_factory=list)  # (title, absolute URL)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class RenderedFollowUp:
    """A follow-up as one recipient sees it, for the preview."""

    subject: str
    text: str
    html: str
    attachments: list[Attachment]


def follow_up_key_prefix(follow_up: FollowUp) -> str:
    return f"follow-up:{follow_up.id}:booking:"


def follow_up_key(follow_up: FollowUp, booking_id: int) -> str:
    return f"{follow_up_key_prefix(follow_up)}{booking_id}"


def is_attached(resource: Resource) -> bool:
    """An uploaded file of up to 5 MB travels in the email; anything else as a link."""
    return resource.is_file and (resource.size or 0) <= ATTACH_MAX_BYTES


def resource_link(resource: Resource) -> str:
    if resource.is_file:
        return absolute_url("events.resource", slug=resource.event.slug, resource_id=resource.id)
    return resource.url or ""


def link_problems(event: Event, resources: list[Resource]) -> list[str]:
    """Why some chosen resources would reach people as links that do not open.

    A file too large to attach is linked to the event page's download, which serves only
    published files of a published event.
    """
    problems = []
    for resource in resources:
        if resource.is_file and not is_attached(resource):
            if not resource.published:
                problems.append(
                    f"“{resource.title}” is larger than 5 MB, so it goes as a link, and the "
                    "link only works once it is published: publish it on the Resources page "
                    "or leave it out.")
            elif not event.published:
                problems.append(
                    f"“{resource.title}” is larger than 5 MB, so it goes as a link to the event "
                    "page, which is not published: publish the event or leave it out.")
    return problems


def event_resources(event: Event, ids: list[int] | None = None) -> list[Resource]:
    """The event's resources in page order; only those with the given ids if ids is given."""
    query = sa.select(Resource).where(Resource.event_id == event.id)
    if ids is not None:
        query = query.where(Resource.id.in_(ids or [-1]))
    return list(db.session.scalars(query.order_by(Resource.position, Resource.id)))


def _apply(follow_up: FollowUp, subject: str, message: str, audience: str,
           resources: list[Resource]) -> None:
    if audience not in AUDIENCES:
        raise FollowUpRefused("Choose who the follow-up goes to.")
    if any(resource.event_id != follow_up.event.id for resource in resources):
        raise FollowUpRefused("Choose resources of this event.")
    problems = link_problems(follow_up.event, resources)
    if problems:
        raise FollowUpRefused(" ".join(problems))
    follow_up.subject = subject.strip()
    follow_up.message = (message or "").replace("\r\n", "\n").strip()
    follow_up.audience = audience
    follow_up.resources = list(resources)


def create_follow_up(event: Event, *, subject: str, message: str, audience: str,
                     resources: list[Resource], organiser: Organiser | None) -> FollowUp:
    """A new, unsent follow-up for the event. Raises FollowUpRefused (nothing saved)."""
    follow_up = FollowUp(event=event, created_by=organiser)
    _apply(follow_up, subject, message, audience, resources)
    db.session.add(follow_up)
    db.session.flush()
    audit.record("follow-up created", event=event, detail=f"“{follow_up.subject}”")
    return follow_up


def update_follow_up(follow_up: FollowUp, *, subject: str, message: str, audience: str,
                     resources: list[Resource]) -> None:
    """Change a follow-up that nobody has been sent yet; once sent, it stays as sent."""
    if follow_up.is_sent:
        raise FollowUpRefused("This follow-up has been sent, so it can no longer be changed. "
                              "Compose a new one instead.")
    _apply(follow_up, subject, message, audience, resources)
    db.session.flush()
    audit.record("follow-up edited", event=follow_up.event, detail=f"“{follow_up.subject}”")


def audience_query(follow_up: FollowUp) -> sa.Select:
    return bookings_in_audience(follow_up.event_id, follow_up.audience)


def bookings_in_audience(event_id: int, audience: str) -> sa.Select:
    """Confirmed bookings that asked for follow-ups and have not unsubscribed; of them,
    for the checked-in audience those checked in, for the missed audience those not."""
    query = sa.select(Booking).where(
        Booking.event_id == event_id,
        Booking.status == BookingStatus.CONFIRMED,
        Booking.wants_followup.is_(True),
        Booking.followup_unsubscribed_at.is_(None),
    )
    if audience == FollowUpAudience.CHECKED_IN:
        query = query.where(Booking.checked_in_at.is_not(None))
    elif audience == FollowUpAudience.MISSED:
        query = query.where(Booking.checked_in_at.is_(None))
    return query


def audience_sizes(event: Event) -> dict[str, int]:
    """How many people each audience holds now, in one query."""
    confirmed = bookings_in_audience(event.id, FollowUpAudience.CONFIRMED).subquery()
    came, everyone = db.session.execute(
        sa.select(sa.func.count(confirmed.c.checked_in_at), sa.func.count())
        .select_from(confirmed)
    ).one()
    missed = everyone - came
    return {FollowUpAudience.CHECKED_IN: came, FollowUpAudience.MISSED: missed,
            FollowUpAudience.CONFIRMED: came + missed}


def _already_queued(follow_up: FollowUp) -> sa.Exists:
    prefix = follow_up_key_prefix(follow_up)
    key = sa.literal(prefix) + sa.cast(Booking.id, sa.String)
    return sa.exists().where(OutboxMessage.dedupe_key == key)


def audience_size(follow_up: FollowUp) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(audience_query(follow_up).subquery())) or 0


def recipients_to_send(follow_up: FollowUp) -> list[Booking]:
    """The audience, less everyone this follow-up was already queued for."""
    return list(db.session.scalars(
        audience_query(follow_up).where(~_already_queued(follow_up)).order_by(Booking.id)
    ))


def follow_up_content(follow_up: FollowUp) -> FollowUpContent:
    """The chosen resources: links, and the files of up to 5 MB read for attaching."""
    content = FollowUpContent()
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "resources"
    for resource in follow_up.resources:
        if is_attached(resource):
            try:
                data = (folder / Path(resource.stored_name).name).read_bytes()
            except OSError:
                raise FollowUpRefused(
                    f"The file of “{resource.title}” is missing. Upload it again on the "
                    "Resources page, or leave it out.") from None
            content.attachments.append(Attachment(
                resource.filename or Path(resource.stored_name).name,
                resource.content_type or "application/octet-stream", data))
        else:
            content.links.append((resource.title, resource_link(resource)))
    return content


def _context(follow_up: FollowUp, content: FollowUpContent, recipient_name: str,
             unsubscribe_link: str | None) -> dict:
    return {
        "follow_up": follow_up,
        "recipient_name": recipient_name,
        "message": follow_up.message,
        "links": content.links,
        "attached": [(a.filename, len(a.data)) for a in content.attachments],
        "unsubscribe_url": unsubscribe_link,
    }


def _reply_to(event: Event) -> dict[str, str]:
    return {"Reply-To": event.organiser_email} if event.organiser_email else {}


def render_follow_up(follow_up: FollowUp, recipient_name: str) -> RenderedFollowUp:
    """The follow-up as a recipient sees it, from the same templates as the email.

    The unsubscribe link, different for each person, is described rather than shown.
    """
    content = follow_up_content(follow_up)
    context = {"event": follow_up.event, "booking": None,
               **_context(follow_up, content, recipient_name, None)}
    return RenderedFollowUp(
        subject=follow_up.subject,
        text=render_template("email/follow_up.txt", **context),
        html=render_template("email/follow_up.html", **context),
        attachments=content.attachments,
    )


def send_follow_up_test(follow_up: FollowUp, organiser: Organiser,
                        submission: str) -> OutboxMessage:
    """Queue a copy marked "[Test]" to the organiser alone; not counted with the real ones.

    The same submission (one per form shown) queues one test however often it arrives.
    """
    key = f"follow-up:{follow_up.id}:test:{submission}"
    existing = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == key))
    if existing is not None:
        return existing
    content = follow_up_content(follow_up)
    name = organiser.name or organiser.email
    message = queue_email(
        kind="follow_up_test",
        dedupe_key=key,
        to=mailbox(organiser.name, organiser.email),
        subject=TEST_PREFIX + follow_up.subject,
        template="follow_up",
        context=_context(follow_up, content, name, None),
        attachments=content.attachments,
        headers=_reply_to(follow_up.event),
        event=follow_up.event,
    )
    audit.record("follow-up test sent", event=follow_up.event,
                 detail=f"“{follow_up.subject}” to {organiser.email}")
    return message


def send_follow_up(follow_up: FollowUp) -> int:
    """Queue the follow-up for everyone in its audience who has not had it; return how many.

    Whatever the concurrency or however often it is called, each person gets one copy:
    the follow-up row is locked while we look (and the keys are unique besides). Every
    copy carries the person's List-Unsubscribe headers and unsubscribe link.
    """
    db.session.execute(
        sa.select(FollowUp.id).where(FollowUp.id == follow_up.id).with_for_update())
    problems = link_problems(follow_up.event, follow_up.resources)
    if problems:
        raise FollowUpRefused(" ".join(problems))
    bookings = recipients_to_send(follow_up)
    content = follow_up_content(follow_up) if bookings else FollowUpContent()
    for booking in bookings:
        queue_email(
            kind="follow_up",
            dedupe_key=follow_up_key(follow_up, booking.id),
            to=mailbox(booking.name, booking.email),
            subject=follow_up.subject,
            template="follow_up",
            context=_context(follow_up, content, booking.name, unsubscribe_url(booking)),
            attachments=content.attachments,
            headers={**list_unsubscribe_headers(booking), **_reply_to(follow_up.event)},
            event=follow_up.event,
            booking=booking,
            bulk=True,
        )
    follow_up.sent_at = utcnow()
    db.session.flush()
    audit.record("follow-up sent", event=follow_up.event,
                 detail=f"“{follow_up.subject}” queued for {len(bookings)} people "
                        f"({AUDIENCES[follow_up.audience].lower()})")
    return len(bookings)


def follow_up_counts(follow_up: FollowUp) -> dict[str, int]:
    """The follow-up's messages by status (tests to the organiser not included)."""
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count())
        .where(OutboxMessage.dedupe_key.startswith(follow_up_key_prefix(follow_up),
                                                   autoescape=True))
        .group_by(OutboxMessage.status)
    ).all())
    return counts


def follow_up_messages(follow_up: FollowUp) -> list[OutboxMessage]:
    """One email per person the follow-up was queued for, with where it stands (tests to
    the organiser not included), in the order they were queued."""
    return messages_with_key_prefix(follow_up_key_prefix(follow_up))


def event_follow_ups(event: Event) -> list[FollowUp]:
    return list(db.session.scalars(
        sa.select(FollowUp).where(FollowUp.event_id == event.id)
        .order_by(FollowUp.created_at.desc(), FollowUp.id.desc())
    ))
