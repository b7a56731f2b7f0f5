"""CLI: db commands (being built)."""


def register(main) -> None:
    pass
