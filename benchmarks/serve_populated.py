"""Serve the emulator with one store ("bench") pre-filled with N accounts, and
optionally M monthly subscriptions.

Served exactly as the CLI serves it (uvicorn, uvloop, httptools, one worker), so the
benchmark measures what users run. Writes the account ids and emails to files.
Filling goes through the domain (not HTTP), so big stores are ready in seconds.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn

from emulator.app import create_app
from emulator.config import Settings
from emulator.domain.cooperative import collect_young_only
from emulator.http.protocol import FastSpringHttpProtocol


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ids-file", required=True)
    parser.add_argument("--emails-file", required=True)
    parser.add_argument("--subscriptions", type=int, default=0)
    parser.add_argument("--state-file", default=None)
    parser.add_argument("--state-interval", type=float, default=30.0)
    args = parser.parse_args()

    app = create_app(
        Settings(seed=1, state_file=args.state_file, state_interval=args.state_interval)
    )
    store = app.state.registry.namespace("bench").store
    store.clock.freeze()
    accounts = store.accounts
    ids, emails = [], []
    for n in range(args.records):
        email = f"user{n}@example.com"
        account = accounts.create(
            {
                "contact": {"first": "Bench", "last": f"User{n}", "email": email},
                "lookup": {"custom": f"custom-{n:06d}"},
            }
        )
        ids.append(account.id)
        emails.append(email)
    if args.subscriptions:
        store.catalog.upsert(
            {"product": "monthly", "pricing": {"interval": "month", "price": {"USD": 9.99}}}
        )
        for n in range(args.subscriptions):
            store.purchases.checkout(
                {
                    "contact": {"first": "S", "last": "U", "email": f"sub{n}@example.com"},
                    "items": [{"product": "monthly"}],
                }
            )
    with open(args.ids_file, "w") as f:
        f.write("\n".join(ids) + "\n")
    with open(args.emails_file, "w") as f:
        f.write("\n".join(emails) + "\n")
    collect_young_only()  # as the CLI's server does
    print("ready", flush=True)
    sys.stdout.flush()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http=FastSpringHttpProtocol,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
