"""What an image in a training example costs in tokens, as OpenAI bills GPT-4o-class vision.

`detail: low` is a flat 85. Otherwise (high, or auto) the image is scaled to fit 2048x2048, then
down so its shorter side is at most 768, and cut into 512-pixel tiles: 85 + 170 per tile. The size
is read from the header of an inline (base64) image; an image given by URL cannot be seen offline,
so it is counted at the low-detail 85 and the estimate says so in the README.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from typing import Any

BASE_TOKENS = 85
TILE_TOKENS = 170
HEADER_CHARS = 64 * 1024  # base64 characters decoded to find the size (JPEG headers can be long)


def image_part_tokens(part: dict[str, Any]) -> int:
    image = part.get("image_url")
    if not isinstance(image, dict):
        return BASE_TOKENS
    if image.get("detail") == "low":
        return BASE_TOKENS
    url = image.get("url")
    size = data_url_size(url) if isinstance(url, str) else None
    return tile_tokens(*size) if size else BASE_TOKENS


def tile_tokens(width: int, height: int) -> int:
    if width <= 0 or height <= 0:
        return BASE_TOKENS
    scale = min(1.0, 2048 / max(width, height))
    w, h = width * scale, height * scale
    scale = min(1.0, 768 / min(w, h))
    w, h = w * scale, h * scale
    return BASE_TOKENS + TILE_TOKENS * math.ceil(w / 512) * math.ceil(h / 512)


def data_url_size(url: str) -> tuple[int, int] | None:
    """(width, height) of a `data:image/...;base64,` URL's image, or None if it cannot be told."""
    if not url.startswith("data:image/"):
        return None
    comma = url.find(",", 0, 200)
    if comma < 0 or ";base64" not in url[:comma]:
        return None
    chunk = url[comma + 1:comma + 1 + HEADER_CHARS]
    chunk = chunk[:len(chunk) - len(chunk) % 4]
    try:
        head = base64.b64decode(chunk, validate=False)
    except (binascii.Error, ValueError):
        return None
    return image_size(head)


def image_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from the first bytes of a PNG, GIF, WebP or JPEG file."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp_size(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(head)
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    kind = head[12:16]
    if kind == b"VP8X" and len(head) >= 30:
        w = int.from_bytes(head[24:27], "little") + 1
        h = int.from_bytes(head[27:30], "little") + 1
        return w, h
    if kind == b"VP8 " and len(head) >= 30:
        w, h = struct.unpack("<HH", head[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if kind == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(head):
        if head[i] != 0xFF:
            return None
        marker = head[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length field
            i += 2
            continue
        length = struct.unpack(">H", head[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # start of frame
            h, w = struct.unpack(">HH", head[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None
