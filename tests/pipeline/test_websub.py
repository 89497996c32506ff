"""The WebSub protocol pieces, alone: discovery, the request form, the hub's
verification and the signature of a push."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from daybook.errors import WebSubError
from daybook.pipeline import websub
from daybook.pipeline.websub import Target

FEED = "https://news.example/feed.xml"
HUB = "https://hub.example/"
TOPIC = "https://news.example/feed"
NOW = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)


# -- discovery --------------------------------------------------------------------------


def test_link_headers_win_over_the_feeds_own_links() -> None:
    links = (("hub", "https://header-hub.example/"), ("self", "https://cdn.example/feed"))
    found = websub.discover(links, hub=HUB, self_url=TOPIC, url=FEED)
    assert found == Target(hub="https://header-hub.example/", topic="https://cdn.example/feed")


def test_the_document_gives_what_the_headers_do_not() -> None:
    assert websub.discover((), hub=HUB, self_url=TOPIC, url=FEED) == Target(HUB, TOPIC)
    only_hub = (("hub", "https://header-hub.example/"),)
    found = websub.discover(only_hub, hub=HUB, self_url=TOPIC, url=FEED)
    assert found == Target("https://header-hub.example/", TOPIC)


def test_the_topic_falls_back_to_the_url_fetched() -> None:
    assert websub.discover((), hub=HUB, self_url=None, url=FEED) == Target(HUB, FEED)


def test_no_hub_no_subscription() -> None:
    assert websub.discover((("self", TOPIC),), hub=None, self_url=TOPIC, url=FEED) is None


@pytest.mark.parametrize(
    "hub",
    [
        "ftp://hub.example/",
        "javascript:alert(1)",
        "/relative/hub",
        "https://user:password@hub.example/",
        "https://hub.example/\x00",
        "https://hub.example/a b",
        "https://" + "a" * 2000 + ".example/",
        "http://[::1/",
        "https:///no-host",
    ],
)
def test_only_plain_http_urls_count_as_hubs(hub: str) -> None:
    assert websub.discover((("hub", hub),), hub=hub, self_url=None, url=FEED) is None
    # A bad header hub gives way to the document's good one.
    assert websub.discover((("hub", hub),), hub=HUB, self_url=None, url=FEED) == Target(HUB, FEED)


def test_a_topic_that_is_no_web_url_falls_back() -> None:
    found = websub.discover((("self", "mailto:x@example"),), hub=HUB, self_url="data:,x", url=FEED)
    assert found == Target(HUB, FEED)


# -- the request ------------------------------------------------------------------------


def test_the_subscribe_form_carries_secret_and_lease() -> None:
    form = websub.request_form(
        "subscribe", topic=TOPIC, callback="https://me.example/cb", secret="s3", lease_seconds=600
    )
    assert form == {
        "hub.mode": "subscribe",
        "hub.topic": TOPIC,
        "hub.callback": "https://me.example/cb",
        "hub.secret": "s3",
        "hub.lease_seconds": "600",
    }


def test_the_unsubscribe_form_does_not() -> None:
    form = websub.request_form(
        "unsubscribe", topic=TOPIC, callback="https://me.example/cb", secret="s3", lease_seconds=1
    )
    assert form == {
        "hub.mode": "unsubscribe",
        "hub.topic": TOPIC,
        "hub.callback": form["hub.callback"],
    }


def test_there_is_no_other_request() -> None:
    with pytest.raises(ValueError, match="publish"):
        websub.request_form("publish", topic=TOPIC, callback="c", secret="s", lease_seconds=1)


# -- the hub's verification -------------------------------------------------------------

MODES = {"subscribe", "denied"}


def verify(**params: str) -> websub.Verification:
    return websub.check_verification(params, topic=TOPIC, modes=MODES, asked_lease=864000)


def test_a_subscription_is_verified_with_its_lease() -> None:
    found = verify(**{"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c1",
                      "hub.lease_seconds": "86400"})  # fmt: skip
    assert found == websub.Verification(mode="subscribe", challenge="c1", lease_seconds=86400)


@pytest.mark.parametrize(
    ("given", "lease"),
    [
        ("0", websub.MIN_LEASE_SECONDS),
        ("1", websub.MIN_LEASE_SECONDS),
        ("999999999999", websub.MAX_LEASE_SECONDS),
        (None, 864000),
    ],
)
def test_the_lease_is_clamped_and_defaults_to_what_we_asked(given: str | None, lease: int) -> None:
    params = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c"}
    if given is not None:
        params["hub.lease_seconds"] = given
    assert verify(**params).lease_seconds == lease


@pytest.mark.parametrize("given", ["", "-5", "1e3", "3600.5", " 60", "1" * 13, "٣٠٠"])
def test_a_lease_that_is_no_number_of_seconds_is_refused(given: str) -> None:
    with pytest.raises(WebSubError, match="lease_seconds"):
        verify(**{"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c",
                  "hub.lease_seconds": given})  # fmt: skip


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"hub.topic": TOPIC, "hub.challenge": "c"}, "mode"),
        ({"hub.mode": "unsubscribe", "hub.topic": TOPIC, "hub.challenge": "c"}, "mode"),
        ({"hub.mode": "Subscribe", "hub.topic": TOPIC, "hub.challenge": "c"}, "mode"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC + "/", "hub.challenge": "c"}, "topic"),
        ({"hub.mode": "subscribe", "hub.challenge": "c"}, "topic"),
        ({"hub.mode": "denied", "hub.topic": "https://other.example/"}, "topic"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC}, "challenge"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": ""}, "challenge"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "a\nb"}, "challenge"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "x" * 1025}, "challenge"),
    ],
)
def test_a_verification_we_did_not_ask_for_is_refused(params: dict[str, str], error: str) -> None:
    with pytest.raises(WebSubError, match=error):
        verify(**params)


def test_an_unsubscription_has_no_lease() -> None:
    found = websub.check_verification(
        {"hub.mode": "unsubscribe", "hub.topic": TOPIC, "hub.challenge": "bye"},
        topic=TOPIC,
        modes={"unsubscribe"},
        asked_lease=864000,
    )
    assert found == websub.Verification(mode="unsubscribe", challenge="bye")


def test_a_denial_keeps_its_reason_cleaned_and_short() -> None:
    found = verify(**{"hub.mode": "denied", "hub.topic": TOPIC,
                      "hub.reason": "no\x00 thanks\r\n<b>" + "x" * 600})  # fmt: skip
    assert found.mode == "denied" and found.challenge == ""
    assert found.reason.startswith("no  thanks  <b>")
    assert len(found.reason) == websub.MAX_REASON_LENGTH


# -- the push's signature ---------------------------------------------------------------

BODY = b"<feed xmlns='http://www.w3.org/2005/Atom'></feed>"
SECRET = "correct horse"


def sign(body: bytes, secret: str = SECRET, algorithm: str = "sha256") -> str:
    return f"{algorithm}=" + hmac.new(secret.encode(), body, algorithm).hexdigest()


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha384", "sha512"])
def test_each_algorithm_of_the_spec_is_checked(algorithm: str) -> None:
    signature = websub.parse_signature(sign(BODY, algorithm=algorithm))
    assert signature.algorithm == algorithm
    assert websub.signature_matches(signature, BODY, SECRET)
    assert not websub.signature_matches(signature, BODY + b" ", SECRET)
    assert not websub.signature_matches(signature, BODY, SECRET + "!")


def test_case_does_not_matter_in_the_method_or_the_digits() -> None:
    header = sign(BODY).upper().replace("SHA256=", "Sha256=")
    assert websub.signature_matches(websub.parse_signature(header), BODY, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        "md5=" + hashlib.md5(BODY).hexdigest(),
        "sha224=" + hmac.new(SECRET.encode(), BODY, "sha224").hexdigest(),
        "sha256",
        hmac.new(SECRET.encode(), BODY, "sha256").hexdigest(),
        "sha256=" + "z" * 64,
        "sha256=" + "a" * 63,
        "sha256=" + "a" * 66,
        "sha1=" + "a" * 64,  # a sha256 digest under the sha1 name
        "sha256=" + " ".join(["ab"] * 32),
        "sha256=0x" + "a" * 62,
        "sha256=" + "ａ" * 64,
        sign(BODY) + ", " + sign(BODY, algorithm="sha1"),
    ],
)
def test_a_missing_unknown_or_malformed_signature_is_refused(header: str | None) -> None:
    with pytest.raises(WebSubError):
        websub.parse_signature(header)


# -- callbacks and leases ---------------------------------------------------------------


def test_the_callback_token_names_one_subscription_under_one_key() -> None:
    def token(key: str = "key", id: int = 7, hub: str = HUB, topic: str = TOPIC, secret: str = "s"):
        return websub.callback_token(key, subscription_id=id, hub=hub, topic=topic, secret=secret)

    assert len(token()) == 64 and token() == token()
    others = [token(key="other"), token(id=8), token(hub=HUB + "x"), token(topic=TOPIC + "x"),
              token(secret="t")]  # fmt: skip
    assert token() not in others and len(set(others)) == len(others)


def test_a_day_lease_is_renewed_in_its_last_tenth() -> None:
    verified = NOW
    expires = verified + timedelta(days=1)

    def due(at: datetime, requested: datetime = verified) -> bool:
        return websub.renewal_due(
            expires_at=expires, lease_seconds=86400, requested_at=requested, now=at
        )

    assert not due(verified)
    assert not due(expires - timedelta(hours=2.5))
    assert due(expires - timedelta(hours=2.3))
    assert due(expires + timedelta(hours=1))  # lapsed: still worth asking
    # Asked a moment ago: the hub gets an hour to answer before it is asked again.
    assert not due(expires - timedelta(hours=1), requested=expires - timedelta(hours=1.5))
    assert due(expires - timedelta(hours=1), requested=expires - timedelta(hours=2.1))


def test_a_short_lease_is_renewed_in_its_second_half_and_not_on_every_tick() -> None:
    expires = NOW + timedelta(seconds=600)

    def due(at: datetime, requested: datetime) -> bool:
        return websub.renewal_due(
            expires_at=expires, lease_seconds=600, requested_at=requested, now=at
        )

    assert not due(NOW + timedelta(seconds=299), NOW)
    assert due(NOW + timedelta(seconds=300), NOW)
    assert not due(NOW + timedelta(seconds=400), NOW + timedelta(seconds=300))
    assert due(NOW + timedelta(seconds=600), NOW + timedelta(seconds=300))
