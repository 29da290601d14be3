"""`make watch`: re-run `make test` every time you save an exercise file.

    python -m kata.kit.watch [--ex conv] [--impl exercises]

Needs the optional package watchdog (pinned in pyproject.toml's [watch] extra):
`make watch-deps` installs it into .venv. Each run is a fresh `python -m kata.kit.progress`
process, so edited modules are imported anew. Ctrl-C stops watching.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
from pathlib import Path

from rich.console import Console

from kata.exercises import TRACKS

ROOT = Path(__file__).resolve().parents[2]
DEBOUNCE_SECONDS = 0.3  # editors write a file in several steps; run once per save


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make watch", description=__doc__.splitlines()[0])
    parser.add_argument("--ex", default=None, help="one exercise file (conv) or id (conv.backward)")
    parser.add_argument("--impl", type=Path, default=Path("exercises"), help="the folder to watch and test")
    parser.add_argument("--track", choices=TRACKS, default="all", help="only one track's exercises (default: all)")
    args = parser.parse_args(argv)
    try:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
    except ImportError:
        print("make watch needs the optional package watchdog, which is not installed.\n"
              "Install it once with:  make watch-deps\n"
              "(or use `make test` after each change)", file=sys.stderr)
        return 2
    if not args.impl.is_dir():
        print(f"error: IMPL={args.impl}: no such folder", file=sys.stderr)
        return 2

    command = [sys.executable, "-m", "kata.kit.progress", "--impl", str(args.impl), "--track", args.track]
    command += ["--ex", args.ex] if args.ex else []
    changed = threading.Event()
    console = Console()

    class OnSave(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            # Many editors save by writing a temporary file and renaming it over the old one.
            paths = (str(event.src_path), str(getattr(event, "dest_path", "")))
            if event.event_type in ("modified", "created", "moved") and any(p.endswith(".py") for p in paths):
                changed.set()

    observer = Observer()
    observer.schedule(OnSave(), str(args.impl), recursive=False)
    observer.start()
    try:
        while True:
            console.clear()
            subprocess.run(command, cwd=ROOT)
            print(f"\nwatching {args.impl}/ for changes (Ctrl-C to stop)", flush=True)
            changed.wait()
            while changed.wait(DEBOUNCE_SECONDS):
                changed.clear()
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
        observer.join()


if __name__ == "__main__":
    sys.exit(main())
