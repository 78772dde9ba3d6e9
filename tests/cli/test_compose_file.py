"""What can be checked of the compose file and the Dockerfile without a Docker engine."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_compose_file_parses_and_pins_its_images():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    for name, service in services.items():
        image = service.get("image")
        if image is not None:
            assert re.fullmatch(r"[a-z0-9./-]+:\d+(\.\d+)+(-[a-z]+)?", image), (name, image)
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
    assert services["fastspring"]["depends_on"]["receiver"]["condition"] == "service_healthy"
    assert "healthcheck" in services["receiver"]
    environment = services["fastspring"]["environment"]
    assert environment["FASTSPRING_EMULATOR_WEBHOOK_RETRY_SCHEDULE"] == "fast"
    assert environment["FASTSPRING_EMULATOR_STATE_FILE"].startswith("/data/")


def test_the_image_pins_python_and_gives_its_user_a_data_folder():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:\d+\.\d+\.\d+-slim$", dockerfile, re.M)
    assert "chown emulator /data" in dockerfile and "USER emulator" in dockerfile
