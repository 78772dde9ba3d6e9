"""`python -m emulator` behaves exactly like the `fastspring-emulator` command."""

from emulator.cli import main

raise SystemExit(main())
