"""A stream that breaks off after it started is said to be cut, not a failed connection."""

from __future__ import annotations

import pytest

from ftui.core.errors import CoreError
from ftui.core.server.faults import Faults
from ftui.core.types import ChatRequest

REQUEST = ChatRequest(model="gpt-4o-mini-2024-07-18",
                      messages=[{"role": "user", "content": "Tell me about the sea in a few words."}])


async def test_a_cut_stream_keeps_what_arrived_and_says_it_broke_off(sandbox_handle, provider):
    sandbox_handle.set_faults(Faults(cut_stream=1.0, seed=3))
    received = []
    with pytest.raises(CoreError) as caught:
        async for delta in provider.stream_chat(REQUEST):
            received.append(delta.text)
    assert "".join(received), "the cut comes after some text"
    assert "broke off" in caught.value.message
    assert "connect" not in caught.value.summary().lower()
    assert caught.value.retryable


async def test_a_refused_connection_is_still_a_connection_failure():
    from ftui.core.connect import make_provider
    from ftui.core.settings import load_settings

    closed = make_provider(load_settings("sandbox", env={}), sandbox_base_url="http://127.0.0.1:9/v1")
    with pytest.raises(CoreError) as caught:
        async for _ in closed.stream_chat(REQUEST):
            pass
    assert "broke off" not in caught.value.message
    assert caught.value.kind in ("connection", "timeout")
    await closed.aclose()
