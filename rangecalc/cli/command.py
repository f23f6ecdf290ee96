"""The command class every ``rangecalc`` command uses: negative coordinates as arguments, and the output
format inferred from the ``-o`` file's extension."""

import re
from pathlib import Path

import click
from click.core import ParameterSource

from ..formats import EXTENSIONS
from .options import check_output, geocode_option

#: A token that is a value, not an option, although it starts with '-': a negative number or coordinate
#: pair as people paste them ('-33.9,18.6', '-0.5', '-33 56 24').
NEGATIVE_VALUE = re.compile(r"^-(\d|\.\d)")


#: The commands that take places, which get ``--geocode`` (the ``map`` subcommands are copies of them).
GEOCODING_COMMANDS = ("distance", "route", "reach", "compare", "table", "rings")


class RangecalcCommand(click.Command):
    """A click command that reads ``-33.9,18.6`` as a value and ``-o map.kml`` as ``--format kml``; the
    commands that take places also get ``--geocode``, handled here and not passed to their callbacks."""

    def __init__(self, name, *args, **kwargs):
        super().__init__(name, *args, **kwargs)
        if name in GEOCODING_COMMANDS and not any(p.name == "geocode" for p in self.params):
            param = geocode_option(lambda: None).__click_params__[0]
            where = next((i for i, p in enumerate(self.params) if p.name == "data_dir"), len(self.params))
            self.params.insert(where, param)

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, self._values_after_options(list(args)))

    def _values_after_options(self, args):
        """Move positional arguments after ``--`` so that a negative coordinate is not read as an option.

        Options keep their values (``--via -33.9,18.6`` stays a pair); every other token, in order, goes
        after ``--``. A token starting with '-' that is no known option and no negative number is left
        where it is, so that click reports it as an unknown option.
        """
        if not any(NEGATIVE_VALUE.match(a) for a in args):
            return args
        takes_value = {}
        for param in self.get_params(click.Context(self)):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        options, values = [], []
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                values.extend(args[i + 1 :])
                break
            name = token.split("=", 1)[0]
            if name in takes_value:
                options.append(token)
                if takes_value[name] and "=" not in token and i + 1 < len(args):
                    options.append(args[i + 1])
                    i += 1
            elif token.startswith("-") and len(token) > 1 and not NEGATIVE_VALUE.match(token):
                options.append(token)  # unknown option, or short options run together: click decides
            else:
                values.append(token)
            i += 1
        return [*options, "--", *values]

    def invoke(self, ctx):
        params = ctx.params
        geocode = params.pop("geocode", False)
        if "fmt" in params and "output" in params:
            output = params["output"]
            if output is not None and str(output) == "-":
                params["output"] = output = None
            explicit = ctx.get_parameter_source("fmt") not in (ParameterSource.DEFAULT, None)
            params["fmt"] = output_format(self, params["fmt"], output, explicit)
        if params.get("data_dir") is not None:  # checked here, where click knows where it came from
            from ..data import ENV_DATA_DIR, user_data_dir  # not for --help: data files need none of it

            param = next(p for p in self.params if p.name == "data_dir")
            source = param.human_readable_name if isinstance(param, click.Argument) else "--data-dir"
            if ctx.get_parameter_source("data_dir") == ParameterSource.ENVIRONMENT:
                source = ENV_DATA_DIR
            user_data_dir(params["data_dir"], source)
        if params.get("output") is not None:
            check_output(params["output"], params.get("force", False))  # before the work, not after
        if geocode:
            from ..geocode import online_geocoding

            with online_geocoding(notify=lambda line: click.echo(f"rangecalc: {line}", err=True)):
                return super().invoke(ctx)
        return super().invoke(ctx)


def output_format(command, fmt, output, explicit):
    """The format to write: ``--format`` if given, else the one the output file's extension implies.

    A file extension that contradicts an explicit ``--format``, or names a format the command cannot
    write, is a usage error; an unknown extension keeps the command's default format.
    """
    if output is None:
        return fmt
    suffix = Path(output).suffix.lower()
    implied = EXTENSIONS.get(suffix)
    choices = next(p.type.choices for p in command.params if p.name == "fmt")
    if implied == "text" and "text" not in choices and "table" in choices:
        implied = "table"
    if explicit:
        if implied is not None and implied != fmt and (implied, fmt) != ("json", "geojson"):
            raise click.UsageError(
                f"--format {fmt} does not match the extension of --output {str(output)!r} "
                f"({suffix} means {implied}); change one of them"
            )
        return fmt
    if implied is None:
        return fmt
    if implied not in choices:
        raise click.UsageError(
            f"--output {str(output)!r}: this command cannot write {implied} ({suffix}); "
            f"it writes {', '.join(choices)}"
        )
    return implied
