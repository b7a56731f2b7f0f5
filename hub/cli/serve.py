"""CLI: serve commands (being built)."""


def register(main) -> None:
    pass
