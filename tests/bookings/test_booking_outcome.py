"""The page after booking says what happened to a new booking, and nothing about anyone
else's: see docs/SECURITY.md, "The page after booking"."""
import re

from tests.conftest import book, outbox
from tests.factories import make_event

NEUTRAL = "Thank you: now check your email"


def heading(page: str) -> str:
    return re.search(r"<h1[^>]*>([^<]+)</h1>", page).group(1).strip()


def booked_page(client, event, **fields) -> str:
    response = book(client, event, **fields)
    assert response.status_code == 303
    return client.get(response.location).text


def test_a_new_booking_is_told_it_has_a_place(app, client):
    event = make_event(app, capacity=2)
    page = booked_page(client, event, email="ada@example.org")
    assert heading(page) == "You have a place"
    assert "We are sending your confirmation to <strong>ada@example.org</strong>" in page
    assert NEUTRAL not in page


def test_a_new_waiting_list_booking_is_told_its_place_in_line(app):
    event = make_event(app, capacity=1, waiting_list=True)
    pages = [booked_page(app.test_client(), event, email=f"person{n}@example.org")
             for n in range(3)]
    assert [heading(page) for page in pages] == [
        "You have a place",
        "You are number 1 on the waiting list",
        "You are number 2 on the waiting list",
    ]


def test_a_repeat_while_places_remain_reads_like_a_new_booking(app):
    event = make_event(app, capacity=5)
    first = booked_page(app.test_client(), event, email="ada@example.org")
    # A stranger types Ada's address: the page is the very page a first booking gets.
    stranger = booked_page(app.test_client(), event, email="ada@example.org")
    assert heading(stranger) == "You have a place"
    assert stranger == first


def test_on_a_full_event_a_repeat_sees_the_very_page_a_first_booking_sees(app):
    event = make_event(app, capacity=1, waiting_list=True)
    booked_page(app.test_client(), event, email="has-place@example.org")
    booked_page(app.test_client(), event, email="waiting@example.org")
    # Strangers type the addresses of the person with the place and of the one waiting,
    # then someone new books: all three are told what a first booking is told now.
    pages = [booked_page(app.test_client(), event, email=address).replace(address, "ADDRESS")
             for address in ("has-place@example.org", "waiting@example.org", "new@example.org")]
    assert heading(pages[0]) == "You are number 2 on the waiting list"
    assert pages[0] == pages[1] == pages[2]
    assert "the email we are sending says where you stand" in pages[0]
    # The emails, which only the owners of the addresses read, tell the truth.
    def last_subject(address: str) -> str:
        return [message.subject for message in outbox(app) if address in message.recipient][-1]

    assert last_subject("has-place@example.org").startswith("Booking confirmed")
    assert last_subject("waiting@example.org").startswith("Waiting list")
    assert last_subject("new@example.org").startswith("Waiting list")


def test_a_repeat_on_a_full_event_without_a_waiting_list_is_refused_as_a_first_booking_is(app):
    event = make_event(app, capacity=1, waiting_list=False)
    booked_page(app.test_client(), event, email="has-place@example.org")
    repeat = book(app.test_client(), event, email="has-place@example.org")
    first = book(app.test_client(), event, email="new@example.org")
    assert repeat.status_code == first.status_code == 409
    assert repeat.text == first.text
    assert "fully booked" in first.text


def test_the_outcome_is_shown_once_and_only_to_the_browser_that_booked(app):
    event = make_event(app, capacity=5)
    booker, someone_else = app.test_client(), app.test_client()
    response = book(booker, event, email="ada@example.org")
    assert heading(someone_else.get(response.location).text) == NEUTRAL
    assert heading(booker.get(response.location).text) == "You have a place"
    assert heading(booker.get(response.location).text) == NEUTRAL  # read once


def test_an_outcome_kept_for_one_event_is_not_shown_on_another(app, client):
    first, second = make_event(app, capacity=5), make_event(app, capacity=5)
    response = book(client, first, email="ada@example.org")
    assert heading(client.get(f"/events/{second.slug}/book/thanks").text) == NEUTRAL
    assert heading(client.get(response.location).text) == NEUTRAL  # taken by the other page
