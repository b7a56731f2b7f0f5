"""CLI: resources commands (being built)."""


def register(main) -> None:
    pass
