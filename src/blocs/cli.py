"""The command line: registers the commands of `blocs.commands`, one module each, and runs
them with one rule for failures.

Bad input exits with code 2 and one line per problem on stderr; output that cannot be written
(a full disk, a closed pipe) exits with code 1 and one line; neither ever shows a traceback.
Each command imports what it needs when it runs, so ``blocs --help`` and ``blocs --version``
start in a fraction of a second.
"""

from __future__ import annotations

import sys

from blocs import __version__


def build_app():
    """The Typer application with every command registered."""
    import typer

    from blocs.commands.backtest import backtest
    from blocs.commands.cases import cases
    from blocs.commands.check import check
    from blocs.commands.discover import discover
    from blocs.commands.forecast import forecast
    from blocs.commands.init import init
    from blocs.commands.report import report
    from blocs.commands.root import root
    from blocs.commands.run import run
    from blocs.commands.sensitivity import sensitivity
    from blocs.commands.show import show

    app = typer.Typer(
        name="blocs",
        help=(
            "Model how a state balances between rival power blocs: leverage, reach and the "
            "forecast of contested issues, from a sourced case file.\n\n"
            "Example:\n\n  blocs run serbia-2024\n\n  blocs run serbia-2024 --json > balance.json"
        ),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    app.callback()(root)
    _placeholders_only()
    for command in (run, check, init, cases, show, forecast, backtest, sensitivity, discover,
                    report):
        app.command()(command)
    return app


def _placeholders_only() -> None:
    """Help lists an argument by its placeholder alone (``CASE``), not with the Python type
    Typer adds (``CASE <str>``): the placeholder already says what to give.  Typer has no
    setting for this, so its display hook is wrapped, once."""
    from typer.core import TyperArgument

    shown = TyperArgument.display_type_rich
    if getattr(shown, "_blocs", False):
        return

    def display_type_rich(self, ctx):
        return None if self.metavar else shown(self, ctx)

    display_type_rich._blocs = True  # type: ignore[attr-defined]
    TyperArgument.display_type_rich = display_type_rich  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``blocs`` command."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):  # answered before anything is imported
        try:
            sys.stdout.write(f"blocs {__version__}\n")
            sys.stdout.flush()
        except OSError as exc:
            _output_failed(exc)
        return
    import warnings

    # A library's warning (NumPy's RuntimeWarning and the like) is not a message for the
    # user: inputs are checked at the edge, and a result that cannot be had is an error line.
    warnings.simplefilter("ignore")
    code = 0
    real = sys.stdout
    sys.stdout = _Guarded(real)  # type: ignore[assignment]
    try:
        try:
            build_app()(args=args, prog_name="blocs")
        except SystemExit as exc:  # click ends every run with SystemExit
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        sys.stdout.flush()
    except _OutputFailed as exc:
        _output_failed(exc.error)
    except KeyboardInterrupt:
        sys.stderr.write("blocs: interrupted\n")
        code = 130
    finally:
        sys.stdout = real
    sys.exit(code)


class _OutputFailed(Exception):
    """Writing standard output failed; not an OSError, so that no layer in between (click
    quietly exits on a closed pipe) takes it for its own."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


class _Guarded:
    """Standard output whose failed writes raise `_OutputFailed`."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise _OutputFailed(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _OutputFailed(exc) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _output_failed(exc: OSError) -> None:
    """Standard output could not be written: say so on one line and exit with code 1."""
    import errno
    import os

    why = "closed before all was written" if exc.errno == errno.EPIPE else (
        exc.strerror or str(exc))
    try:
        # Whatever is still buffered must not fail again at exit ("Exception ignored").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError:
        pass
    try:
        sys.stderr.write(f"blocs: cannot write the output: {why}\n")
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(1)


if __name__ == "__main__":
    main()
