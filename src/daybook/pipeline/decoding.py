"""Decoding fetched bodies: bounded decompression (gzip, deflate, brotli) and
charset detection for pages that lie about their encoding."""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator
from typing import Any, Protocol

import brotli
import charset_normalizer

from daybook.errors import FetchError

# Decompressors never emit more than this per call, so memory stays bounded
# however dense the compressed input is.
_INFLATE_STEP = 64 * 1024
_SNIFF_BYTES = 4096


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class _ZlibDecoder:
    """gzip (several members allowed) or deflate (zlib-wrapped or raw, as servers vary)."""

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._head = b""  # deflate: wait for two bytes to tell zlib from raw
        self._inflater: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
        self._tail = b""  # gzip: bytes after a member, until we know if a new one starts

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            wrapped = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        while True:
            if self._inflater.eof:
                following = self._next_member(data)
                if following is None:
                    return
                data = following
            out: bytes = self._inflater.decompress(data, _INFLATE_STEP)
            if out:
                yield out
            if self._inflater.eof:
                data = self._inflater.unused_data
                continue
            data = self._inflater.unconsumed_tail
            if not data and len(out) < _INFLATE_STEP:
                return  # input used up and nothing left pending inside zlib

    def _next_member(self, data: bytes) -> bytes | None:
        """After a gzip member ends: the next member's bytes, or None to stop for now.

        Bytes that do not start a new member (padding, junk) are ignored, as
        browsers do.
        """
        if not self._gzip:
            return None
        self._tail += data
        if len(self._tail) < 2:
            return None
        if self._tail[:2] != b"\x1f\x8b":
            self._gzip = False
            return None
        following, self._tail = self._tail, b""
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return following

    def flush(self) -> Iterator[bytes]:
        if self._inflater is not None and not self._inflater.eof:
            out: bytes = self._inflater.flush()
            if out:
                yield out


class _BrotliDecoder:
    def __init__(self) -> None:
        self._decompressor: Any = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        out: bytes = self._decompressor.process(data, output_buffer_limit=_INFLATE_STEP)
        if out:
            yield out
        while not self._decompressor.can_accept_more_data():
            out = self._decompressor.process(b"", output_buffer_limit=_INFLATE_STEP)
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        return iter(())


def decoders_for(content_encoding: str | None, url: str) -> list[_Decoder]:
    """Decoders in the order to apply them (the reverse of the header's order)."""
    decoders: list[_Decoder] = []
    for coding in (content_encoding or "").lower().split(","):
        name = coding.strip()
        if name in ("gzip", "x-gzip"):
            decoders.append(_ZlibDecoder(gzip=True))
        elif name == "deflate":
            decoders.append(_ZlibDecoder(gzip=False))
        elif name == "br":
            decoders.append(_BrotliDecoder())
        elif name not in ("", "identity"):
            raise FetchError(f"unsupported Content-Encoding {name!r}", url=url)
    return decoders[::-1]


def decode_through(decoders: list[_Decoder], data: bytes) -> Iterator[bytes]:
    if not decoders:
        if data:
            yield data
        return
    for piece in decoders[0].decode(data):
        yield from decode_through(decoders[1:], piece)


def flush_decoders(decoders: list[_Decoder]) -> Iterator[bytes]:
    for index, decoder in enumerate(decoders):
        for piece in decoder.flush():
            yield from decode_through(decoders[index + 1 :], piece)


# --- charset -------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_TEXT_SUBTYPES = ("xml", "json", "javascript", "ecmascript", "html", "csv", "x-www-form-urlencoded")


def _codec(label: str | bytes, *, in_document: bool = False) -> str | None:
    name = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    if codec == "iso8859-1":
        return "cp1252"  # WHATWG: latin-1 labels mean windows-1252 on the web
    if in_document and codec.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a document that could state it in ASCII is not UTF-16
    return codec


def _is_text(media_type: str | None) -> bool:
    if media_type is None or media_type.startswith("text/"):
        return True
    major, _, subtype = media_type.partition("/")
    return major == "application" and any(word in subtype for word in _TEXT_SUBTYPES)


def _declared_encoding(content: bytes, content_type: str | None) -> str | None:
    match = _CHARSET_PARAM.search(content_type or "")
    if match and (codec := _codec(match.group(1))):
        return codec
    head = content[:_SNIFF_BYTES]
    for pattern in (_XML_DECLARATION, _META_CHARSET):
        found = pattern.search(head)
        if found and (codec := _codec(found.group(1), in_document=True)):
            return codec
    return None


def _decodes(content: bytes, encoding: str) -> bool:
    try:
        content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def decide_encoding(content: bytes, content_type: str | None) -> str | None:
    """The codec that decodes ``content``: BOM, then declarations, then detection.

    A declaration that fails to decode the body strictly is a lie (common on
    old CMSes); charset-normalizer then guesses from the bytes.
    """
    if not _is_text(media_type(content_type)):
        return None
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return codec
    candidate = _declared_encoding(content, content_type) or "utf-8"
    if _decodes(content, candidate):
        return candidate
    best = charset_normalizer.from_bytes(content).best()
    if best is not None and (detected := _codec(best.encoding)):
        return detected
    return candidate


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None
