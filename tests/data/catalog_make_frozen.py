"""Build tests/data/catalog_v0001.sqlite3: a database frozen at schema revision 0001_catalog.

It holds one user GPU, one shipped-looking GPU and one saved project, written with plain SQL (as the
app of that release would have), so the upgrade test can check that an old file is backed up and
upgraded in place with its rows intact. Run once per released schema; commit the file.

    .venv/bin/python tests/data/catalog_make_frozen.py
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from db.migrate import alembic_config

TARGET = Path(__file__).with_name("catalog_v0001.sqlite3")


def build(target: Path = TARGET) -> Path:
    target.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{target}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001_catalog")
        conn.execute(
            text(
                "INSERT INTO gpus (vendor, name, form_factor, memory_gb, memory_bandwidth_gbs, bf16_dense_tflops,"
                " fp8_dense_tflops, tdp_w, interconnect, interconnect_gbs, price_low_usd, price_high_usd,"
                " source_url, as_of, notes, origin) VALUES"
                " ('Acme', 'Acme X1', 'PCIe', 64, 1000, 200, NULL, 300, 'PCIe Gen5 x16', 128, 9000, 9500,"
                "  'https://example.com/acme-x1-quote', '2026-01-15', 'consultant''s own quote', 'user'),"
                " ('NVIDIA', 'H100 SXM', 'SXM', 80, 3350, 989.4, 1978.9, 700, 'NVLink 4', 900, 20000, 20000,"
                "  'https://example.com/old-shipped', '2025-01-01', '', 'shipped')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO projects (name, client, updated_at, format_version, payload) VALUES"
                " ('Frozen plan', 'Old client', '2026-01-20 10:00:00', 1, '{\"name\": \"Frozen plan\", \"version\": 1}')"
            )
        )
    engine.dispose()
    return target


if __name__ == "__main__":
    print(build())
