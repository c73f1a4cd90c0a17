#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hiroshima.settings")
    # manage.py is the local command: debug on unless DJANGO_DEBUG says otherwise.
    # Production serves through gunicorn (wsgi.py), where debug is off by default.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
