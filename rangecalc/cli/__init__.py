"""The ``rangecalc`` command: a thin layer that parses, calls the library, and formats.

Errors are turned into one line on stderr here and nowhere else: :class:`~rangecalc.errors.UsageError`
and click's own usage errors exit with 2, every other :class:`~rangecalc.errors.RangecalcError` with 1.
"""

import os
import sys
import warnings

# Before numpy loads: one BLAS thread. rangecalc's matrix products are thin (an inner dimension of 3), so
# BLAS threads only spin, and the commands share work among processes themselves: on a 2-core machine
# extra BLAS threads cost a claim 1 s of CPU and the Tu-160 reach over the USA 12 s, for no time saved. A
# value the user sets wins.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import click  # noqa: E402

from .. import __version__  # noqa: E402
from ..errors import RangecalcError, UsageError  # noqa: E402


class RangecalcGroup(click.Group):
    """A click group whose errors are one line on stderr, never a traceback, and whose commands are
    imported when first asked for (see :data:`COMMANDS`)."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in self.commands and name in COMMANDS:
            self.add_command(_command(name), name)
        return self.commands.get(name)

    def main(self, args=None, prog_name=None, standalone_mode=True, **extra):
        try:
            with warnings.catch_warnings():
                # Library warnings (numpy's on degenerate input among them) are not for users: every
                # number we print is checked; RANGECALC_DEBUG=1 shows them.
                if not os.environ.get("RANGECALC_DEBUG"):
                    warnings.simplefilter("ignore")
                result = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.Abort as exc:
            click.echo("rangecalc: aborted", err=True)
            sys.exit(130 if isinstance(exc.__cause__, KeyboardInterrupt) else 1)
        except KeyboardInterrupt:
            click.echo("rangecalc: aborted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            click.echo(f"rangecalc: error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)
        except RangecalcError as exc:
            click.echo(f"rangecalc: error: {exc}", err=True)
            sys.exit(2 if isinstance(exc, UsageError) else 1)
        except Exception as exc:  # a bug: still one line, with a way to see more
            if os.environ.get("RANGECALC_DEBUG"):
                raise
            click.echo(
                f"rangecalc: internal error ({type(exc).__name__}: {exc}); "
                "this is a bug, set RANGECALC_DEBUG=1 for the traceback",
                err=True,
            )
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=RangecalcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rangecalc")
def cli():
    """Can aircraft X, flying from base Y, reach Z — and by how much, under which published figures.

    Distances are WGS84 geodesics; every figure comes with its sources.

    \b
    Examples:
      rangecalc reach tu22m3 mozdok
      rangecalc distance mozdok "deir ez-zor"
      rangecalc airframes tu22m3
    """


#: Each command's module and object: a command's module is imported only when that command runs (or when
#: the help lists them all), so that ``rangecalc airframes`` does not load the routing commands' options.
COMMANDS = {
    "claim": ("claim", "claim_cmd"),
    "distance": ("distance", "distance_cmd"),
    "route": ("route", "route_cmd"),
    "rings": ("rings", "rings_cmd"),
    "reach": ("reach", "reach_cmd"),
    "compare": ("compare", "compare_cmd"),
    "table": ("compare", "table_cmd"),
    "basing": ("basing", "basing_cmd"),
    "airframes": ("listing", "airframes_cmd"),
    "bases": ("listing", "bases_cmd"),
    "check-data": ("check", "check_data_cmd"),
    "map": ("map", "map_group"),
}


def _command(name):
    import importlib

    module, attribute = COMMANDS[name]
    return getattr(importlib.import_module(f".{module}", __name__), attribute)


def main():
    """Console-script entry point."""
    cli.main(prog_name="rangecalc")
