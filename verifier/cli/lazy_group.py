"""A click group whose subcommands are imported only when run: `por-verify proof` then never loads the reserves
checker's elliptic-curve libraries, and a command's start-up stays what its own job needs."""
import importlib

import click


class LazyGroup(click.Group):
    def __init__(self, *args, commands: dict[str, str], **kwargs):
        """`commands` maps each subcommand's name to "module:attribute" of its click command."""
        super().__init__(*args, **kwargs)
        self.lazy = dict(commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy:
            return None
        module, attribute = self.lazy[name].split(":")
        return getattr(importlib.import_module(module), attribute)
