"""The console scripts' entry points: they import their tool's command-line module (NumPy,
SciPy and click with it, a second or so) inside a guard, so that Ctrl-C during the import
exits 130 with one line, as Ctrl-C does once the tool runs, not with a traceback."""
import importlib
import sys


def run(tool):
    try:
        main = importlib.import_module(f"{tool}.cli").main
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
    main()


def wordvec():
    run("wordvec")


def charlm():
    run("charlm")


def corpora():
    run("corpora")
