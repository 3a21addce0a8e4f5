"""Shared architectures for the engine tests (values from the models' published configs)."""

from __future__ import annotations

import pytest

from planner.catalog import ModelArch

LLAMA2_7B = ModelArch("Llama-2-7B", 6.738, 32, 4096, 32, 32, 128, 32000, 11008)
LLAMA2_70B = ModelArch("Llama-2-70B", 68.977, 80, 8192, 64, 8, 128, 32000, 28672)
LLAMA31_8B = ModelArch("Llama-3.1-8B", 8.03, 32, 4096, 32, 8, 128, 128256, 14336)
MIXTRAL = ModelArch("Mixtral-8x7B", 46.7, 32, 4096, 32, 8, 128, 32000, 14336, experts=8, experts_per_token=2)


@pytest.fixture
def llama7b() -> ModelArch:
    return LLAMA2_7B
