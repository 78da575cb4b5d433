"""The ``orchlab`` command-line shell.

It sits above every other package of the kit: each subcommand module here imports the package it
drives (``simulator``, ``grader``, ``explorers``), and nothing below imports this package.
"""
