"""The quote fixtures of tests/data/quotes written out by hand, line by line, and the catalog entries the
tests map them to. Import tests check that reading each file gives exactly these lines; the maths tests
compute on them. Hand arithmetic: tests/data/quotes/README.md.
"""

from __future__ import annotations

import datetime as dt

from planner.catalog import FxRate, Gpu, ServerPlatform
from planner.quotes import Quote, QuoteLine

AS_OF = dt.date(2026, 6, 1)

# Catalog figures as in shared/reference/catalog_facts.json (dense BF16; memory as marketed).
H100_SXM = Gpu(
    vendor="NVIDIA",
    name="H100 SXM",
    form_factor="SXM",
    memory_gb=80.0,
    memory_bandwidth_gbs=3350.0,
    bf16_dense_tflops=989.4,
    fp8_dense_tflops=1978.9,
    tdp_w=700.0,
    interconnect="NVLink",
    interconnect_gbs=900.0,
    price_low_usd=25000.0,
    price_high_usd=30000.0,
    source_url="https://www.nvidia.com/en-us/data-center/h100/",
    as_of=AS_OF,
)
H200_SXM = Gpu(
    vendor="NVIDIA",
    name="H200 SXM",
    form_factor="SXM",
    memory_gb=141.0,
    memory_bandwidth_gbs=4800.0,
    bf16_dense_tflops=989.0,
    fp8_dense_tflops=1979.0,
    tdp_w=700.0,
    interconnect="NVLink",
    interconnect_gbs=900.0,
    price_low_usd=28000.0,
    price_high_usd=31000.0,
    source_url="https://www.nvidia.com/en-us/data-center/h200/",
    as_of=AS_OF,
)
L40S = Gpu(
    vendor="NVIDIA",
    name="L40S",
    form_factor="PCIe",
    memory_gb=48.0,
    memory_bandwidth_gbs=864.0,
    bf16_dense_tflops=362.05,
    fp8_dense_tflops=733.0,
    tdp_w=350.0,
    interconnect="PCIe",
    interconnect_gbs=64.0,
    price_low_usd=None,
    price_high_usd=None,
    source_url="https://www.nvidia.com/en-us/data-center/l40s/",
    as_of=AS_OF,
)
HGX_H100 = ServerPlatform(
    vendor="Supermicro",
    model="HGX H100 8-GPU",
    gpu_name="H100 SXM",
    gpu_count=8,
    cpu="2x Xeon 8480+",
    ram_gb=2048.0,
    nvme_tb=30.0,
    network="InfiniBand NDR 400G x8",
    max_power_kw=10.2,
    list_price_usd=None,
    source_url="https://example.invalid/hgx-h100",
    as_of=AS_OF,
)
HGX_H200 = ServerPlatform(
    vendor="Supermicro",
    model="HGX H200 8-GPU",
    gpu_name="H200 SXM",
    gpu_count=8,
    cpu="2x EPYC 9654",
    ram_gb=1536.0,
    nvme_tb=30.0,
    network="InfiniBand NDR 400G x8",
    max_power_kw=10.2,
    list_price_usd=None,
    source_url="https://example.invalid/hgx-h200",
    as_of=AS_OF,
)
L40S_4U = ServerPlatform(
    vendor="Generic",
    model="4U PCIe server 8x L40S",
    gpu_name="L40S",
    gpu_count=8,
    cpu="2x EPYC 9354",
    ram_gb=1024.0,
    nvme_tb=15.0,
    network="100GbE",
    max_power_kw=0.0,  # unknown rated draw: GPU TDP is used (lower bound)
    list_price_usd=None,
    source_url="https://example.invalid/l40s",
    as_of=AS_OF,
)
GPUS = {g.name: g for g in (H100_SXM, H200_SXM, L40S)}
SERVERS = {s.model: s for s in (HGX_H100, HGX_H200, L40S_4U)}

EUR_USD = FxRate(
    base="EUR",
    quote="USD",
    rate=1.10,
    as_of=dt.date(2026, 8, 14),
    source_url="https://example.invalid/fx-test",
)
GBP_USD = FxRate(
    base="GBP",
    quote="USD",
    rate=1.30,
    as_of=dt.date(2026, 11, 2),
    source_url="https://example.invalid/fx-test",
)

NORTHWIND_LINES = (
    QuoteLine(
        "HGX H100 8-GPU SXM5 80GB server, 2x Xeon Platinum 8480+, 2 TB DDR5, 8x 3.84 TB NVMe",
        4,
        268000.0,
        "gpu_server",
        "NW-HGX-H100-8",
        server_model="HGX H100 8-GPU",
    ),
    QuoteLine(
        "NVIDIA ConnectX-7 400Gb/s NDR InfiniBand adapter, OSFP", 32, 1850.0, "nic", "MCX75310AAS-NEAT"
    ),
    QuoteLine("NVIDIA Quantum-2 QM9700 64-port NDR InfiniBand switch", 1, 32500.0, "switch", "MQM9700-NS2F"),
    QuoteLine("LinkX 400G OSFP active optical cable, 5 m", 32, 1150.0, "optics_cables", "MFA7U10-H005"),
    QuoteLine("Sliding rail kit for 8U chassis", 4, 350.0, "other", "NW-RAIL-8U"),
    QuoteLine("3-year ProSupport 24x7, 4-hour on-site, per node", 4, 21500.0, "support", "NW-SUP-3Y", 3.0),
    QuoteLine("Rack integration, cabling and on-site installation", 1, 9800.0, "installation", "NW-INST"),
    QuoteLine("Freight and insurance (DAP)", 1, 4200.0, "shipping", "NW-SHIP"),
    QuoteLine("Project discount", 1, -25000.0, "discount", "NW-DISC"),
)
NORTHWIND = Quote(
    vendor="Northwind Systems",
    currency="USD",
    quote_date=dt.date(2026, 10, 28),
    valid_until=dt.date(2026, 12, 31),
    quote_number="NW-Q-88412",
    lead_time_weeks=10,
    lines=NORTHWIND_LINES,
    source_file="northwind_usd.csv",
)

RHEINWERK_LINES = (
    QuoteLine(
        "HGX H200 8-GPU Server, 8x H200 SXM 141GB, 2x EPYC 9654, 1,5 TB RAM",
        2,
        298500.0,
        "gpu_server",
        "RW-H200-8G",
        server_model="HGX H200 8-GPU",
    ),
    QuoteLine("ConnectX-7 NDR 400G Netzwerkkarte", 16, 1690.0, "nic", "MCX75310AAS-NEAT"),
    QuoteLine("Quantum-2 QM9700 Switch, 64 Ports NDR", 1, 29900.0, "switch", "MQM9700-NS2F"),
    QuoteLine("Kabel/Optiken 400G OSFP", 16, 980.0, "optics_cables", "RW-OSFP-400"),
    QuoteLine("Vor-Ort-Installation und Rack-Einbau inkl. Schienen", 1, 6500.0, "installation", "RW-INST"),
    QuoteLine("Garantieerweiterung 5 Jahre, Next Business Day", 2, 24000.0, "support", "RW-GAR-5J", 5.0),
    QuoteLine("Fracht DDP", 1, 2400.0, "shipping", "RW-FRACHT"),
)
RHEINWERK = Quote(
    vendor="Rheinwerk Computing GmbH",
    currency="EUR",
    quote_date=dt.date(2026, 8, 14),
    valid_until=dt.date(2026, 9, 30),
    quote_number="RW-2026-0815",
    lead_time_weeks=12,
    lines=RHEINWERK_LINES,
    source_file="rheinwerk_eur.xlsx",
    fx=EUR_USD,
)

ALBION_LINES = (
    QuoteLine(
        "PowerEdge XE9680, 8x NVIDIA H100 SXM5 80GB, 2x Xeon 8468, 2TB RAM",
        2,
        205000.0,
        "gpu_server",
        "XE9680-H100",
        server_model="HGX H100 8-GPU",
    ),
    QuoteLine("Delivery to site (UK mainland)", 1, 1250.0, "shipping", "DEL-UK"),
)
ALBION = Quote(
    vendor="Albion Compute Ltd",
    currency="GBP",
    quote_date=dt.date(2026, 11, 2),
    valid_until=dt.date(2026, 12, 2),
    quote_number="AC-11-2026-031",
    lines=ALBION_LINES,
    source_file="albion_gbp.csv",
    fx=GBP_USD,
)

TODAY = dt.date(2026, 11, 23)
