"""Prism between core's Together backend (the real together SDK) and the sandbox speaking Together:
`prism proxy --errors` checks every request against Together's vendored spec (422 when it breaks
it) and every answer the sandbox gives (an error instead of the answer when it breaks it). Skips,
as tests/contract does, where Prism is not installed (`make test` installs it).

The spec's paths have no /v1 (its server URL carries it) while the SDK's do, so Prism reads a copy
with the paths under /v1 and nothing else changed (spec_check's three corrections of the spec's own
defects applied, as for the schema checks in test_provider_flow.py).

What the vendored spec cannot cover, so these tests do not go through Prism for it:
- dedicated endpoints: the spec has only the old /endpoints and /hardware, while the SDK we pin
  (3.1.1) calls /v3/whoami, /v2/public/inference-instance-types and /v2/projects/{p}/endpoints
  (test_deployments.py tests those against the sandbox directly);
- the upload's redirect dance (POST /files answered 302, then a PUT to the presigned Location, then
  POST /files/{id}/preprocess): the spec describes only a multipart POST /files/upload.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from together import AsyncTogether

from ftui.core.backends.together_backend import TogetherProvider
from ftui.core.errors import CoreError
from ftui.core.server.runner import SandboxThread
from ftui.core.server.together import catalog
from ftui.core.types import JobSpec
from tests.contract.conftest import PRISM, ROOT, START_TIMEOUT, PrismServer, _free_port, _listening
from tests.specs import TOGETHER_SPEC
from tests.together.spec_check import spec as corrected_spec

pytestmark = pytest.mark.prism

DATA = ROOT / "examples" / "marv.jsonl"
BASE = catalog.FINE_TUNABLE[0]


def _spec_under_v1(folder: Path) -> Path:
    loaded = json.loads(json.dumps(corrected_spec()))  # a copy: the cached spec stays as it is
    loaded["paths"] = {f"/v1{path}": item for path, item in loaded["paths"].items()}
    loaded["servers"] = [{"url": "/"}]
    out = folder / "together-v1.json"
    out.write_text(json.dumps(loaded), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def sandbox_behind_prism(tmp_path_factory):
    """(Prism's base URL, the sandbox it fronts): Prism proxies to the Together-dialect sandbox."""
    if not PRISM.exists():
        pytest.skip(f"Prism is not installed at {PRISM.relative_to(ROOT)}; `make test` installs it "
                    "(cd .ci/node && npm ci)")
    if not TOGETHER_SPEC.exists():
        pytest.skip(f"Together spec not found at {TOGETHER_SPEC}")
    folder = tmp_path_factory.mktemp("prism-together")
    sandbox = SandboxThread(speed=400.0, data_dir=folder / "sandbox", dialect="together")
    sandbox.start()
    port = _free_port()
    log = folder / "prism.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(PRISM), "proxy", "--errors", "-h", "127.0.0.1", "-p", str(port),
                                 str(_spec_under_v1(folder)), sandbox.base_url.rstrip("/")],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while not _listening(port):
            if proc.poll() is not None:
                pytest.fail(f"Prism exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
            if time.monotonic() - started > START_TIMEOUT:
                pytest.fail(f"Prism did not listen on {port} within {START_TIMEOUT:.0f} s")
            time.sleep(0.2)
        yield PrismServer(f"http://127.0.0.1:{port}", log, time.monotonic() - started), sandbox
    finally:
        try:  # only the process group we started
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        sandbox.stop()


def _provider(base_url: str) -> TogetherProvider:
    from ftui.core.settings import SANDBOX_KEY

    return TogetherProvider(AsyncTogether(api_key=SANDBOX_KEY, base_url=base_url, max_retries=0, timeout=30),
                            name="prism-together", key_source="TOGETHER_API_KEY")


@pytest.fixture
async def through_prism(sandbox_behind_prism):
    """(core's provider through Prism, core's provider straight to the sandbox, Prism)."""
    prism, sandbox = sandbox_behind_prism
    proxied, direct = _provider(prism.base_url), _provider(sandbox.base_url)
    yield proxied, direct, prism
    await proxied.aclose()
    await direct.aclose()


async def _checked(prism: PrismServer, awaitable):
    """The call's result; a Prism rejection (of our request or of the sandbox's answer) fails the
    test with Prism's reasons."""
    try:
        return await awaitable
    except CoreError as err:
        if err.status in (422, 500, 502):
            last = "\n".join([line for line in prism.log.read_text(errors="replace").splitlines()[-300:]
                              if "VALIDATOR" in line or "✖" in line][-15:])
            pytest.fail(f"Prism rejected the exchange ({err.status}): {err.details()}\n{last}")
        raise


async def test_files_and_fine_tunes_conform(through_prism):
    provider, direct, prism = through_prism
    uploaded = await direct.upload_file(DATA)  # the upload's redirect dance is not in the spec
    listed = await _checked(prism, provider.list_files())
    assert uploaded.id in [f.id for f in listed.items]
    assert (await _checked(prism, provider.retrieve_file(uploaded.id))).bytes == DATA.stat().st_size

    assert BASE in await _checked(prism, provider.fine_tunable_models())
    fields = {f.name: f for f in await _checked(prism, provider.hyperparameter_fields(BASE))}
    assert fields["lora_r"].maximum
    spec = JobSpec(model=BASE, training_file=uploaded.id, suffix="marv", seed=7,
                   hyperparameters={"n_epochs": 2, "training_type": "Lora", "lora_r": 8, "lora_alpha": 16,
                                    "learning_rate": 1e-4, "warmup_ratio": 0.1})
    price = await _checked(prism, provider.estimate_price(spec))
    assert price.available
    job = await _checked(prism, provider.create_job(spec))
    deadline = time.monotonic() + 30
    while not (job := await _checked(prism, provider.retrieve_job(job.id))).finished:
        assert time.monotonic() < deadline, job.status
        await asyncio.sleep(0.1)
    assert job.status == "succeeded" and job.fine_tuned_model
    assert job.id in [j.id for j in (await _checked(prism, provider.list_jobs())).items]
    assert (await _checked(prism, provider.list_events(job.id, limit=100))).items
    assert (await _checked(prism, provider.list_checkpoints(job.id))).items
    assert await _checked(prism, provider.list_metrics(job.id))

    other = await _checked(prism, provider.create_job(JobSpec(model=BASE, training_file=uploaded.id)))
    assert (await _checked(prism, provider.cancel_job(other.id))).status in ("cancelled", "succeeded")
    assert await _checked(prism, provider.delete_model(job.fine_tuned_model))


async def test_prism_rejects_a_request_that_breaks_the_spec(through_prism):
    """The check can fail: a fine-tune without its required training_file never reaches the sandbox."""
    provider, _, prism = through_prism
    with pytest.raises(Exception) as info:
        await provider._client.post("/v1/fine-tunes", body={"model": BASE}, cast_to=object)
    assert "422" in str(info.value) or getattr(info.value, "status_code", None) == 422, info.value
