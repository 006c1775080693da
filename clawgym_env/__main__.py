"""``python -m clawgym_env`` runs the ``clawgym`` command line."""

from clawgym_env.cli import main

raise SystemExit(main())
