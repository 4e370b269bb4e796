"""Image tokens: OpenAI's published examples, sizes read from real image headers, low detail."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from ftui.core.dataset.image_tokens import data_url_size, image_part_tokens, image_size, tile_tokens
from ftui.core.dataset.tokens import example_tokens


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + bytes(9)
    exif = b"\xff\xe1" + struct.pack(">H", 2 + 3000) + bytes(3000)  # a long header before the size
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + bytes(3)
    return b"\xff\xd8" + app0 + exif + sof + b"\xff\xd9"


def data_url(blob: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64," + base64.b64encode(blob).decode()


@pytest.mark.parametrize(("size", "tokens"), [
    ((1024, 1024), 765),   # OpenAI's example: 768x768 after scaling, 4 tiles
    ((2048, 4096), 1105),  # OpenAI's example: 768x1536, 6 tiles
    ((512, 512), 255),     # small images are not scaled up: 1 tile
    ((4000, 100), 85 + 170 * 4),
])
def test_tile_rule_matches_openai_examples(size, tokens):
    assert tile_tokens(*size) == tokens


def test_sizes_come_from_png_gif_jpeg_and_webp_headers():
    assert image_size(png(640, 480)) == (640, 480)
    assert image_size(b"GIF89a" + struct.pack("<HH", 33, 44) + bytes(8)) == (33, 44)
    assert image_size(jpeg(1920, 1080)) == (1920, 1080)
    vp8x = b"RIFF" + bytes(4) + b"WEBPVP8X" + bytes(8) + (799).to_bytes(3, "little") + (599).to_bytes(3, "little")
    assert image_size(vp8x) == (800, 600)
    assert image_size(b"not an image") is None
    assert data_url_size(data_url(jpeg(1920, 1080), "jpeg")) == (1920, 1080)
    assert data_url_size("https://example.com/cat.png") is None
    assert data_url_size("data:image/png;base64,@@@@") is None


def test_detail_and_unknown_sizes():
    big = data_url(png(1024, 1024))
    assert image_part_tokens({"type": "image_url", "image_url": {"url": big}}) == 765  # auto
    assert image_part_tokens({"type": "image_url", "image_url": {"url": big, "detail": "high"}}) == 765
    assert image_part_tokens({"type": "image_url", "image_url": {"url": big, "detail": "low"}}) == 85
    url = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    assert image_part_tokens(url) == 85  # size unknown offline: the low-detail floor


def test_an_example_with_an_image_counts_its_tiles():
    def example(url: str) -> dict:
        return {"messages": [
            {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                         {"type": "image_url", "image_url": {"url": url}}]},
            {"role": "assistant", "content": "A cat."}]}

    small = example_tokens(example(data_url(png(100, 100))))
    large = example_tokens(example(data_url(png(1024, 1024))))
    assert large - small == 765 - 255
