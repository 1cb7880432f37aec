"""docker-compose.yml, checked without Docker (none runs on the build machines): its shape, and that every
PARLEY_ variable it sets is one Parley reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))  # type: ignore[no-any-return]


def test_two_instances_share_one_postgres_database_after_one_migration() -> None:
    services = compose()["services"]
    instances = [name for name, s in services.items() if s.get("ports")]
    assert len(instances) == 2
    ports = {p.split(":")[0] for name in instances for p in services[name]["ports"]}
    assert len(ports) == 2, "each instance on its own host port"
    urls = {services[name]["environment"]["PARLEY_DATABASE_URL"] for name in instances}
    assert len(urls) == 1 and next(iter(urls)).startswith("postgresql://") and "@db:5432/" in next(iter(urls))
    assert services["migrate"]["command"] == ["parley", "db", "upgrade"]
    for name in instances:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["build"] == "."
    assert services["db"]["image"].startswith("postgres:")
    assert (ROOT / "Dockerfile").exists()


def test_every_parley_variable_in_the_compose_file_is_a_setting() -> None:
    known = {"PARLEY_" + name.upper() for name in Settings.model_fields}
    for name, service in compose()["services"].items():
        for variable in service.get("environment") or {}:
            if variable.startswith("PARLEY_"):
                assert variable in known, f"{name} sets {variable}, which Parley does not read"
