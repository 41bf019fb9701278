"""The `veracity` console command: every Django management command, plus Veracity's own
(`veracity demo`, `veracity createuser`, `veracity token create USERNAME`, `veracity serve`, …)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")
    from django.core.management import execute_from_command_line

    argv = [sys.argv[0], *sys.argv[1:]]
    if len(argv) == 1:
        argv.append("help")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
