"""Regenerate docs/images/dashboard-subscription.png, the README's picture of the
dashboard: a store with a subscription a month after its purchase, in Debian's
Chromium (apt-get install -y chromium) driven by Playwright.

python scripts/dashboard_screenshot.py [OUT.png]
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys

import httpx2 as httpx
from playwright.sync_api import sync_playwright

AUTH = {"Authorization": "Basic " + base64.b64encode(b"demo:pw").decode(), "User-Agent": "docs"}


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "docs/images/dashboard-subscription.png"
    server = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--seed", "1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"serving (\S+)", line)
        assert found, line
        url = found.group(1)
        api = httpx.Client(base_url=url, headers=AUTH)
        api.post("/_emulator/clock/freeze")
        api.post("/_emulator/clock/advance", json={"to": "2027-01-15T10:00:00Z"})
        pricing = {"interval": "month", "intervalLength": 1, "price": {"USD": 29.0}}
        api.post(
            "/products",
            json={
                "products": [
                    {"product": "pro-monthly", "display": {"en": "Pro"}, "pricing": pricing}
                ]
            },
        )
        order = api.post(
            "/_emulator/orders",
            json={
                "contact": {"first": "Jane", "last": "Doe", "email": "jane@example.com"},
                "items": [{"product": "pro-monthly"}],
            },
        ).json()
        sub_id = next(i["subscription"] for i in order["items"] if i["subscription"])
        api.post("/_emulator/clock/advance", json={"days": 31})
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context(
                http_credentials={"username": "demo", "password": "pw"},
                viewport={"width": 1200, "height": 860},
            )
            page = context.new_page()
            page.goto(f"{url}/_emulator/ui/subscriptions/{sub_id}")
            page.screenshot(path=out)
            browser.close()
        print(out)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
