"""Launch form checks against the API's bounds, the split, the Python snippet, estimates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ftui.core.errors import CoreError
from ftui.core.launch.estimates import Estimate, load_estimate, make_estimate, save_estimate
from ftui.core.launch.fields import (
    FormValues,
    build_spec,
    check_hyperparameter,
    check_metadata,
    check_share,
    check_suffix,
)
from ftui.core.launch.snippet import python_snippet
from ftui.core.launch.split import split_dataset
from ftui.core.types import JobSpec
from tests.core_watch.conftest import make_dataset
from tests.specs import OPENAI_SPEC

SPEC = OPENAI_SPEC


def test_suffix_length_matches_the_spec():
    text = SPEC.read_text()
    block = text[text.index("\n    CreateFineTuningJobRequest:"):]
    # the suffix property of the request schema, parsed alone (the whole spec is 3 MB)
    start = block.index("\n        suffix:")
    end = block.index("\n        validation_file:")
    limit = yaml.safe_load(block[start:end])["suffix"]["maxLength"]
    assert check_suffix("a" * limit) == "a" * limit
    with pytest.raises(CoreError, match=f"at most {limit}"):
        check_suffix("a" * (limit + 1))


@pytest.mark.parametrize("bad", ["my model", "a:b", "ünï", "x/y", "v1.2"])
def test_suffix_rejects_unsafe_characters(bad):
    with pytest.raises(CoreError, match="characters"):
        check_suffix(bad)


def test_empty_suffix_is_none():
    assert check_suffix("  ") is None
    assert check_suffix(" my-model_12 ") == "my-model_12"


@pytest.mark.parametrize("name,good,bad", [
    ("n_epochs", ["1", "50", "auto", ""], ["0", "51", "2.5", "x"]),
    ("batch_size", ["1", "256"], ["0", "257", "-1"]),
    ("learning_rate_multiplier", ["0.01", "10"], ["0", "-1", "nan", "abc"]),
    ("beta", ["0.1", "2"], ["0", "2.01"]),
])
def test_hyperparameter_bounds(name, good, bad):
    for text in good:
        check_hyperparameter(name, text)
    for text in bad:
        with pytest.raises(CoreError, match=name):
            check_hyperparameter(name, text)


def test_metadata_pairs_and_limits():
    assert check_metadata("team=nlp, run = 3") == {"team": "nlp", "run": "3"}
    assert check_metadata("") is None
    with pytest.raises(CoreError, match="at most 16"):
        check_metadata(",".join(f"k{i}=v" for i in range(17)))
    with pytest.raises(CoreError, match="key"):
        check_metadata("k" * 65 + "=v")
    with pytest.raises(CoreError, match="value"):
        check_metadata("k=" + "v" * 513)
    with pytest.raises(CoreError, match="key=value"):
        check_metadata("novalue")


def test_share_accepts_percent_and_fraction():
    assert check_share("10%") == pytest.approx(0.1)
    assert check_share("0.2") == pytest.approx(0.2)
    with pytest.raises(CoreError):
        check_share("100")


def test_build_spec_collects_every_field_error():
    spec, errors = build_spec(FormValues(model="", training_file="file-1", suffix="bad suffix",
                                         n_epochs="99", seed="x"))
    assert spec is None
    assert set(errors) == {"model", "suffix", "n_epochs", "seed"}


def test_build_spec_dpo_keeps_beta_supervised_drops_it():
    values = FormValues(model="gpt-4o-mini-2024-07-18", training_file="file-1", method="dpo",
                        beta="0.5", n_epochs="3")
    spec, errors = build_spec(values)
    assert not errors and spec.hyperparameters == {"beta": 0.5, "n_epochs": 3}
    values.method = "supervised"
    spec, _ = build_spec(values)
    assert spec.hyperparameters == {"n_epochs": 3}


def _dataset(tmp_path: Path, n: int = 50) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"q{i}"}]}) + "\n"
                            for i in range(n)))
    return path


def test_split_is_deterministic_complete_and_leaves_the_original(tmp_path):
    src = _dataset(tmp_path)
    before = src.read_bytes()
    t1, v1 = split_dataset(src, 0.2, 7, tmp_path / "a")
    t2, v2 = split_dataset(src, 0.2, 7, tmp_path / "b")
    assert t1.read_bytes() == t2.read_bytes() and v1.read_bytes() == v2.read_bytes()
    assert src.read_bytes() == before
    train, valid = t1.read_text().splitlines(), v1.read_text().splitlines()
    assert len(valid) == 10 and len(train) == 40
    assert sorted(train + valid) == sorted(before.decode().splitlines())
    _, v3 = split_dataset(src, 0.2, 8, tmp_path / "c")
    assert v3.read_bytes() != v1.read_bytes()


def test_split_refuses_tiny_files(tmp_path):
    src = tmp_path / "one.jsonl"
    src.write_text('{"messages": []}\n')
    with pytest.raises(CoreError, match="at least 2"):
        split_dataset(src, 0.5, 1, tmp_path)


def test_python_snippet_compiles_and_carries_every_field():
    spec = JobSpec(model="gpt-4o-mini-2024-07-18", training_file="file-abc", validation_file="file-v",
                   suffix="x-1", method="dpo", hyperparameters={"beta": 0.2, "n_epochs": 2}, seed=4,
                   metadata={"team": "a'b"}, wandb_project="proj")
    code = python_snippet(spec)
    compile(code, "snippet.py", "exec")
    for text in ("fine_tuning.jobs.create", "'dpo'", "'beta': 0.2", "seed=4", "'wandb'", "\"a'b\"",
                 "validation_file='file-v'"):
        assert text in code


def test_estimates_survive_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    est = make_estimate("gpt-4o-mini-2024-07-18", 40, 10_000, "auto")
    assert est.epochs == 3 and est.billable_tokens == 30_000
    assert est.cost == pytest.approx(30_000 * 3.0 / 1e6)
    save_estimate("ftjob-1", est)
    save_estimate("ftjob-2", Estimate("m", 1, 1, 1, 1, None))
    assert load_estimate("ftjob-1") == est
    assert load_estimate("nope") is None
    (tmp_path / "estimates.json").write_text("{broken")
    assert load_estimate("ftjob-1") is None


def test_estimate_from_a_validation_report(marv_path):
    from ftui.core.dataset.validate import validate_path
    from ftui.core.launch.estimates import estimate_from_report

    report = validate_path(marv_path, model="gpt-4o-mini-2024-07-18")
    auto = estimate_from_report(report, "gpt-4o-mini-2024-07-18")
    assert auto.examples == report.examples and auto.dataset_tokens == report.total_tokens
    assert auto.epochs >= 1 and auto.billable_tokens == report.total_tokens * auto.epochs
    two = estimate_from_report(report, "gpt-4o-mini-2024-07-18", 2)
    assert two.epochs == 2 and two.cost == pytest.approx(two.billable_tokens * 3.0 / 1e6, rel=0.01)


async def test_validate_source_checks_local_and_uploaded_files_alike(bare_provider, tmp_path):
    from ftui.core.launch.estimates import validate_source

    good = make_dataset(tmp_path, 12)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(good.read_bytes() + b"{not json\n")
    uploaded_bad = await bare_provider.upload_file(bad)
    local = await validate_source(bare_provider, good, "gpt-4o-mini-2024-07-18")
    remote = await validate_source(bare_provider, uploaded_bad.id, "gpt-4o-mini-2024-07-18")
    assert local.valid and local.examples == 12
    assert not remote.valid
    assert [(p.line, p.code) for p in remote.errors] == [(13, "invalid_json")]
