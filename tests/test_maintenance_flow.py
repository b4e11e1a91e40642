"""The maintenance flow's body (Warehouse.compact through the configured warehouse), and its
scheduled deployment in deploy/prefect.yaml. The Prefect engine itself is exercised by
test_flows and test_prefect_server_e2e; here the flow function runs without it."""

from __future__ import annotations

from pathlib import Path

import yaml

from aidetl.warehouse import Warehouse
from aidetl.warehouse.synthetic import synthetic_batch
from aidetl_flows.maintenance import maintenance

ROOT = Path(__file__).resolve().parents[1]


def test_maintenance_compacts_the_configured_warehouse(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db)
    wh.load_batch(synthetic_batch("a", 0, 4, 3))
    wh.load_batch(synthetic_batch("b", 0, 4, 3, revision=1))
    monkeypatch.setenv("AIDETL_WAREHOUSE", str(db))
    shown = wh.query("SELECT * FROM facts_dedup ORDER BY fact_id")[1]
    done = maintenance.fn(vacuum_superseded=True)
    assert done["deleted_facts"] == 12 and done["bytes_after"] > 0
    assert maintenance.fn(vacuum_superseded=True)["deleted_facts"] == 0
    assert wh.query("SELECT * FROM facts_dedup ORDER BY fact_id")[1] == shown


def test_the_maintenance_deployment_is_scheduled() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prefect.yaml").read_text(encoding="utf-8"))
    (dep,) = [d for d in config["deployments"] if d["name"] == "maintenance-weekly"]
    assert dep["entrypoint"] == "flows/aidetl_flows/maintenance.py:maintenance"
    assert dep["parameters"] == {"vacuum_superseded": True}
    assert dep["schedules"][0]["timezone"] == "Asia/Shanghai" and dep["concurrency_limit"] == 1
