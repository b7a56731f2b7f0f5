"""CLI: ops commands (being built)."""


def register(main) -> None:
    pass
