"""CLI: accounts commands (being built)."""


def register(main) -> None:
    pass
