"""`planner estimate SPEC.json [--json]` against the shipped catalog (real SQLite in PLANNER_DATA_DIR)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ui.cli import main


def _write(tmp_path: Path, data: object) -> str:
    p = tmp_path / "spec.json"
    p.write_text(json.dumps(data))
    return str(p)


def test_single_spec_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = {
        "model": "Llama 3.1 8B",
        "method": "qlora",
        "grad_checkpointing": True,
        "tokens": 1e8,
        "gpu": "H100 SXM",
    }
    assert main(["estimate", _write(tmp_path, spec), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["peak_gb_per_gpu"] < out["device_gb_per_gpu"] < 80
    assert out["gpu_hours"] > 0 and out["wall_hours"] > 0
    names = {f["gpu"] for f in out["fits"]}
    assert "H100 SXM" in names and all(f["min_gpus"] >= 1 for f in out["fits"])
    assert set(out["breakdown_gb"]) >= {"weights", "activations", "logits", "cuda_context"}


def test_list_of_specs_keeps_order_and_text_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = [
        {"model": "Llama 3.1 70B", "method": "full", "n_gpus": 16, "network": "eth_25", "tokens": 1e9, "gpu": "H100 SXM"},
        {"model": "Llama 2 7B", "method": "lora"},
        {"model": {"params_b": 1.0, "layers": 16, "hidden": 2048, "heads": 16, "vocab": 32000, "intermediate": 5632},
         "method": "inference"},
    ]  # fmt: skip
    assert main(["estimate", _write(tmp_path, specs), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["method"] for o in out] == ["full", "lora", "inference"]
    h100_servers = [s for s in out[0]["servers"] if s["gpu"] == "H100 SXM"]
    h100_fit = next(f for f in out[0]["fits"] if f["gpu"] == "H100 SXM")
    assert h100_servers and all(s["servers_needed"] == -(-h100_fit["min_gpus"] // 8) for s in h100_servers)
    assert not any(s["fits_one_server"] for s in h100_servers)  # 70B full fine-tuning needs several nodes
    assert any("not viable" in w for w in out[0]["warnings"])
    assert main(["estimate", _write(tmp_path, specs)]) == 0
    text = capsys.readouterr().out
    assert "Llama 3.1 70B" in text and "does not fit" in text


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"model": "Llama 3.1 8B", "quant_bits": 3, "method": "qlora"}, "quant_bits"),
        ({"model": "No Such Model"}, "model"),
        ({"model": "Llama 3.1 8B", "gpu": "Z9000"}, "gpu"),
        ({"model": "Llama 3.1 8B", "bogus": 1}, "bogus"),
    ],
)
def test_errors_are_one_sentence_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: dict[str, object], field: str
) -> None:
    assert main(["estimate", _write(tmp_path, spec)]) != 0
    err = capsys.readouterr().err.strip()
    assert f"'{field}'" in err and "\n" not in err


def test_missing_file_and_bad_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", str(tmp_path / "nope.json")]) != 0
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["estimate", str(bad)]) != 0
    assert "not valid JSON" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "is a folder"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"model": "Llama 3.1 8B",\n "seq_len": }', "Expecting value at line 2, column"),
        (b'{"model": "Llama 3.1 8B", "seq_len": 1e400}', "'seq_len'"),
        (b'{"model": {"params_b": 1, "layers": 1e400, "hidden": 64, "heads": 4, "vocab": 10, "intermediate": 8}}',
         "'model.layers'"),
        (b'{"model": "Llama 3.1 8B", "micro_batch": NaN}', "'micro_batch'"),
        (b'{"model": "Llama 3.1 8B", "batch": 4}', "did you mean micro_batch"),
    ],
)  # fmt: skip
def test_unreadable_specs_are_one_sentence_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, needle: str
) -> None:
    path = tmp_path / "spec.json"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    assert main(["estimate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and str(path) in err and "\n" not in err and "Traceback" not in err


def test_json_warns_when_the_named_gpu_is_too_small(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = {"model": "Llama 3.1 8B", "method": "full", "n_gpus": 8, "tokens": 1e8, "gpu": "H100 SXM"}
    assert main(["estimate", _write(tmp_path, spec), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["gpu_hours"] is not None and out["device_gb_per_gpu"] > 80 * 0.95
    assert any("does not fit H100 SXM" in w for w in out["warnings"])


def test_offload_host_footprint_in_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = {"model": "Llama 3.1 8B", "method": "full", "zero_stage": 3, "n_gpus": 8, "offload": "nvme"}
    path = _write(tmp_path, spec)
    assert main(["estimate", path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["offload"] == "nvme" and set(out["host_gb"]) == {"optimizer_states", "gradients", "weights"}
    assert main(["estimate", path]) == 0
    text = capsys.readouterr().out
    assert "offloaded to NVMe" in text and "warning: offload nvme moves" in text


def test_serving_load_is_sized_in_gpus_and_monthly_gpu_hours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = {"model": "Llama 3.1 8B", "method": "inference", "prompt_len": 2048, "gen_len": 512,
            "micro_batch": 256, "gpu_memory_utilization": 0.9, "requests_per_s": 20, "gpu": "H100 SXM"}  # fmt: skip
    assert main(["estimate", _write(tmp_path, spec), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    sv = out["serving"]
    assert sv["concurrency"] <= 256 and sv["concurrency"] <= sv["max_concurrency"]
    assert sv["gpus_needed"] == -(-20 // sv["requests_per_s_per_replica"])  # ceil, one GPU per replica
    assert out["gpu_hours"] == pytest.approx(sv["gpus_needed"] * 730)
    low, high = out["device_gb_per_gpu_band"]
    assert low <= out["device_gb_per_gpu"] <= high
    assert main(["estimate", _write(tmp_path, spec)]) == 0
    text = capsys.readouterr().out
    assert "requests/s per replica" in text and "GPU-hours a month" in text
    assert "None" not in text and "nan" not in text and "gpu_memory_utilization" not in text
