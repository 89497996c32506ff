"""Publishers' images through /media/: signed, fetched from a real server on
127.0.0.1 through the safe fetcher, resized, cached on disk; anything hostile is a
404 and the page goes on without the image."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from daybook.web import media
from tests.servers import serve

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def ico() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (48, 48), (20, 90, 200, 255)).save(out, "ICO", sizes=[(48, 48)])
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A small PNG whose header declares 60,000 x 60,000 pixels."""
    data = bytearray(png(8, 8))
    data[16:24] = (60_000).to_bytes(4, "big") * 2  # IHDR width and height
    return bytes(data)


@pytest.fixture
def images(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    calls: list[str] = []

    def counted(reply):
        def route(request):
            calls.append(request.path)
            return reply

        return route

    routes = {
        "/big.png": counted((200, {"Content-Type": "image/png"}, png(2000, 1000))),
        "/favicon.ico": counted((200, {"Content-Type": "image/x-icon"}, ico())),
        "/script.svg": counted((200, {"Content-Type": "image/svg+xml"}, SVG)),
        "/lying.png": counted((200, {"Content-Type": "image/png"}, SVG)),
        "/page.html": counted((200, {"Content-Type": "text/html"}, b"<html>hi</html>")),
        "/bomb.png": counted((200, {"Content-Type": "image/png"}, bomb())),
        "/private": counted((302, {"Location": "http://10.0.0.1/x.png"}, b"")),
        "/loopback": counted((302, {"Location": "http://127.0.0.1:9/x.png"}, b"")),
    }
    with serve(routes) as server:
        settings.DAYBOOK_ALLOWED_HOSTS = frozenset({server.host_port})
        settings.DAYBOOK_RESPECT_ROBOTS = False
        server.calls = calls
        yield server


def test_an_image_is_resized_served_as_webp_and_cached(client, images):
    path = media.media_url(images.url("/big.png"), "thumb")
    assert path and path.startswith("/media/thumb/")
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(response.content)) as shown:
        assert shown.size == (media.SIZES["thumb"], media.SIZES["thumb"] // 2)
    assert client.get(path).content == response.content
    assert images.calls == ["/big.png"], "the second answer came from the disk cache"


def test_a_publishers_icon_is_made_small(client, images):
    response = client.get(media.media_url(images.url("/favicon.ico"), "icon"))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(response.content)) as shown:
        assert shown.size == (media.SIZES["icon"], media.SIZES["icon"])


def test_cards_show_the_publishers_icon_through_the_proxy(client, images):
    from daybook.news.models import Source
    from tests.community import make_article

    source = Source.objects.create(name="Harbour Post", icon=images.url("/favicon.ico"))
    make_article("Ferry returns", source)
    data = client.get(f"/publishers/{source.pk}/?format=json").json()
    assert data["articles"][0]["publisher"]["icon"] == images.url("/favicon.ico")
    page = client.get(f"/publishers/{source.pk}/").content.decode()
    icon = media.media_url(images.url("/favicon.ico"), "icon")
    assert f'<img class="icon" src="{icon}"' in page


@pytest.mark.parametrize("name", ["/script.svg", "/lying.png", "/page.html", "/bomb.png"])
def test_what_is_not_a_plain_raster_image_is_refused(client, images, name):
    path = media.media_url(images.url(name), "thumb")
    assert client.get(path).status_code == 404
    assert client.get(path).status_code == 404
    assert images.calls == [name], "a failure is remembered, not fetched again"


@pytest.mark.parametrize("name", ["/private", "/loopback"])
def test_a_redirect_to_a_private_address_is_not_followed(client, images, name):
    assert client.get(media.media_url(images.url(name), "lead")).status_code == 404


def test_only_urls_daybook_signed_are_fetched(client, images):
    path = media.media_url(images.url("/big.png"), "thumb")
    size, signature, encoded = path.split("/")[2:]
    forged = media.media_url(images.url("/script.svg"), "thumb").split("/")[-1]
    for bad in (
        f"/media/{size}/{signature}/{forged}",  # another URL under this signature
        f"/media/lead/{signature}/{encoded}",  # another size
        f"/media/{size}/{'A' * len(signature)}/{encoded}",
        f"/media/{size}/{signature}/%%%",
    ):
        assert client.get(bad).status_code == 404, bad
    assert images.calls == []
    assert media.media_url("javascript:alert(1)") is None
    assert media.media_url("http://10.0.0.1/x.png", "huge") is None


def test_the_cache_keeps_within_its_cap(client, images, settings):
    settings.DAYBOOK_MEDIA_CACHE_MB = 0  # every new file pushes out the older ones
    for size in ("thumb", "lead"):
        assert client.get(media.media_url(images.url("/big.png"), size)).status_code == 200
    kept = [p for p in (settings.DATA_DIR / "media").iterdir() if p.suffix == ".webp"]
    assert len(kept) <= 1
