"""The README's and the docs' examples are real: every shell block parses, every
YAML, JSON and Python block parses, every JSON body a curl sends is JSON, and the
README's quick example runs against a live emulator."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.server import emulator

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)


def blocks(language: str) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for lang, body in BLOCK.findall(page.read_text()):
            if lang == language:
                found.append((page.name, body))
    return found


@pytest.mark.parametrize("page, script", blocks("sh"))
def test_shell_examples_parse(page, script):
    done = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    assert done.returncode == 0, f"{page}: {done.stderr}"
    for body in re.findall(r"-d '(.*?)'", script, re.S):
        json.loads(body)  # every JSON body a curl sends


@pytest.mark.parametrize("page, text", blocks("yaml"))
def test_yaml_examples_parse(page, text):
    assert isinstance(yaml.safe_load(text), dict), page


@pytest.mark.parametrize("page, source", blocks("python"))
def test_python_examples_parse(page, source):
    ast.parse(source)


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's example uses curl")
def test_the_readme_quick_example_runs():
    (script,) = [
        body for page, body in blocks("sh") if page == "README.md" and "--seed 1 &" in body
    ]
    with emulator("--seed", "1") as running:
        runnable = script.replace("fastspring-emulator serve --seed 1 &", "").replace(
            "http://127.0.0.1:8282", running.url
        )
        done = subprocess.run(
            ["bash", "-e", "-c", runnable], capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 0, done.stderr
    answers = [
        json.loads(line) for line in done.stdout.replace("}{", "}\n{").splitlines() if line.strip()
    ]
    assert all(a.get("result") != "error" for a in answers if isinstance(a, dict)), answers
    events = next(a for a in answers if isinstance(a, dict) and "events" in a and "total" in a)
    assert "subscription.charge.completed" in [e["type"] for e in events["events"]]
