"""At the door, on a phone: the door list, walk-ins, and the page a check-in QR code opens.

/admin/check-in/<code>                        the person a QR code names; POST checks in
/admin/check-in/<code>/undo                   undo that check-in
/admin/events/<slug>/door                     confirmed people by surname, search, count
/admin/events/<slug>/door/status              the count and who is in, for the page's script
/admin/events/<slug>/door/<id>/check-in       one tap (JSON for the script, else redirect)
/admin/events/<slug>/door/<id>/undo           undo the last check-in
/admin/events/<slug>/door/<id>/admit          let in someone from the waiting list
/admin/events/<slug>/door/walk-in             add a walk-in and check them in

Every page is an organiser page (`web/admin.py`): a stranger who scans a QR code gets the
login page, and comes back here after logging in. Cancelling is deliberately not offered
at the door; that is on the bookings page.
"""
from __future__ import annotations

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from wtforms import EmailField, HiddenField

from ..database import utcnow
from ..extensions import db
from ..models import Booking, BookingStatus, Event
from ..web.admin import admin_blueprint, commit_unless_refused
from ..web.forms import Form
from ..web.loaders import event_item_or_404, event_or_404
from ..web.text import one_line
from .attendance import CheckInRefused, check_in_booking, undo_check_in
from .check_in import booking_by_check_in_code
from .forms import MAX_EMAIL, MAX_NAME, email_address, length, text_line
from .queries import booking_counts, confirmed_by_surname, search_bookings
from .services import BookingRefused
from .walk_ins import OverCapacity, WalkIn, add_walk_in, admit_from_waiting_list

door = admin_blueprint("door", __name__)


class WalkInForm(Form):
    name = text_line("Name", MAX_NAME, "The name", required="Enter the person's name.")
    email = EmailField("Email (optional)", filters=[one_line],
                       validators=[length(MAX_EMAIL, "The email address"), email_address])
    organisation = text_line("Organisation (optional)", MAX_NAME, "Organisation")
    over_capacity = HiddenField()

    def walk_in(self) -> WalkIn:
        return WalkIn(self.name.data, self.email.data or "", self.organisation.data or "")


def confirmed_count(form) -> int | None:
    """The count the organiser confirmed going over capacity to, if any."""
    value = (form.get("over_capacity") or "").strip()
    return int(value) if value.isdigit() and len(value) < 7 else None


# --- the page a QR code opens --------------------------------------------------------

def booking_for_code_or_404(code: str) -> Booking:
    booking = booking_by_check_in_code(code)
    if booking is None:
        abort(make_response(render_template("bookings/admin/check_in.html", booking=None), 404))
    return booking


@door.get("/check-in/<code>")
def check_in_page(code: str):
    booking = booking_for_code_or_404(code)
    event = booking.event
    not_today = event.local_starts_at.date() != utcnow().astimezone(event.tz).date()
    return render_template("bookings/admin/check_in.html", booking=booking, event=event,
                           code=code, not_today=not_today)


@door.post("/check-in/<code>")
def check_in_by_code(code: str):
    booking = booking_for_code_or_404(code)
    name, back = booking.name, url_for(".check_in_page", code=code)
    if commit_unless_refused(CheckInRefused, check_in_booking, booking):
        flash(f"{name} is checked in.", "success")
    return redirect(back, code=303)


@door.post("/check-in/<code>/undo")
def undo_by_code(code: str):
    booking = booking_for_code_or_404(code)
    name, back = booking.name, url_for(".check_in_page", code=code)
    undo_check_in(booking)
    db.session.commit()
    flash(f"{name} is no longer checked in.", "success")
    return redirect(back, code=303)


# --- the door list -------------------------------------------------------------------

def last_key(event: Event) -> str:
    return f"door-last-{event.id}"


def list_filters(values) -> dict[str, str]:
    """The door list's search and "not arrived yet" filter, as given."""
    query = one_line(values.get("q", ""))[:200]
    show = "not-arrived" if values.get("show") == "not-arrived" else ""
    return {"q": query, "show": show}


def back_to_door(event: Event, booking: Booking | None = None):
    filters = {k: v for k, v in list_filters(request.form).items() if v}
    anchor = f"door-{booking.id}" if booking is not None else None
    return redirect(url_for(".door_list", slug=event.slug, _anchor=anchor, **filters), code=303)


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best == "application/json"


@door.get("/events/<slug:slug>/door")
def door_list(slug: str, form: WalkInForm | None = None):
    event = event_or_404(slug)
    filters = list_filters(request.args)
    everyone = confirmed_by_surname(event)
    matching = ({b.id for b in search_bookings(event, filters["q"], BookingStatus.CONFIRMED)}
                if filters["q"] else None)  # no search: everyone matches
    shown = [b for b in everyone if (matching is None or b.id in matching)
             and not (filters["show"] and b.checked_in_at is not None)]
    last = db.session.get(Booking, session.get(last_key(event)) or 0)
    if last is not None and (last.event_id != event.id or last.checked_in_at is None):
        last = None
    return render_template(
        "bookings/admin/door.html", event=event, everyone=everyone, shown=shown,
        here=sum(1 for b in everyone if b.checked_in_at is not None), last=last,
        waiting=search_bookings(event, "", BookingStatus.WAITING), filters=filters,
        form=form or WalkInForm(formdata=None), counts=booking_counts(event),
    ), 200 if form is None else 422


def door_status(event: Event) -> dict:
    """Who is in, for the door list's script: the count, and each arrival's time."""
    everyone = confirmed_by_surname(event)
    zone = event.tz
    arrived = {str(b.id): f"{b.checked_in_at.astimezone(zone):%H:%M}"
               for b in everyone if b.checked_in_at is not None}
    return {"here": len(arrived), "of": len(everyone), "checked_in": arrived}


@door.get("/events/<slug:slug>/door/status")
def status(slug: str):
    return jsonify(door_status(event_or_404(slug)))


@door.post("/events/<slug:slug>/door/<int:booking_id>/check-in")
def door_check_in(slug: str, booking_id: int):
    event = event_or_404(slug)
    booking = event_item_or_404(Booking, booking_id, event)
    try:
        check_in_booking(booking)
    except CheckInRefused as refusal:
        db.session.rollback()
        if wants_json():
            return jsonify(error=str(refusal)), 409
        flash(str(refusal), "error")
        return back_to_door(event)
    answer = {**door_status(event), "name": booking.name, "booking": booking.id,
              "undo": url_for(".door_undo", slug=event.slug, booking_id=booking.id)}
    back = back_to_door(event, booking)
    db.session.commit()
    session[last_key(event)] = booking_id
    if wants_json():
        return jsonify(answer)
    return back  # the page's undo bar says who was checked in


@door.post("/events/<slug:slug>/door/<int:booking_id>/undo")
def door_undo(slug: str, booking_id: int):
    event = event_or_404(slug)
    booking = event_item_or_404(Booking, booking_id, event)
    undo_check_in(booking)
    name, answer, back = booking.name, door_status(event), back_to_door(event, booking)
    db.session.commit()
    session.pop(last_key(event), None)
    if wants_json():
        return jsonify({**answer, "name": name, "booking": booking_id})
    flash(f"{name} is no longer checked in.", "success")
    return back


def over_capacity_page(event: Event, refusal: OverCapacity, action: str, name: str,
                       hidden: dict[str, str]):
    """Ask the organiser to confirm going over capacity, carrying what they typed."""
    return render_template("bookings/admin/door_confirm.html", event=event, refusal=refusal,
                           action=action, name=name, hidden=hidden), 409


def admitted_message(admitted) -> str:
    booking = admitted.booking
    over = " over capacity" if admitted.over_capacity else ""
    if admitted.outcome == "already booked":
        return f"{booking.name} already had a booking ({booking.reference}) and is checked in."
    if admitted.outcome == "from the waiting list":
        return f"{booking.name} has a place{over} from the waiting list and is checked in."
    emailed = " They will be emailed their booking." if booking.email else ""
    return f"{booking.name} is added{over} as a walk-in and checked in.{emailed}"


@door.post("/events/<slug:slug>/door/<int:booking_id>/admit")
def admit(slug: str, booking_id: int):
    event = event_or_404(slug)
    booking = event_item_or_404(Booking, booking_id, event)
    name = booking.name
    try:
        admitted = admit_from_waiting_list(booking, over_capacity=confirmed_count(request.form))
    except OverCapacity as refusal:
        db.session.rollback()
        return over_capacity_page(event, refusal, request.path, name, {})
    except (CheckInRefused, BookingRefused) as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return back_to_door(event)
    message, back = admitted_message(admitted), back_to_door(event, admitted.booking)
    db.session.commit()
    session[last_key(event)] = booking_id
    flash(message, "success")
    return back


@door.post("/events/<slug:slug>/door/walk-in")
def walk_in(slug: str):
    event = event_or_404(slug)
    form = WalkInForm()
    if not form.validate():
        db.session.rollback()
        return door_list(slug, form=form)
    try:
        admitted = add_walk_in(event, form.walk_in(),
                               over_capacity=confirmed_count(request.form))
    except OverCapacity as refusal:
        db.session.rollback()
        hidden = {"name": form.name.data, "email": form.email.data or "",
                  "organisation": form.organisation.data or ""}
        return over_capacity_page(event, refusal, request.path, form.name.data, hidden)
    except BookingRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return back_to_door(event)
    message, booking_id = admitted_message(admitted), admitted.booking.id
    back = back_to_door(event, admitted.booking)
    db.session.commit()
    session[last_key(event)] = booking_id
    flash(message, "success")
    return back
