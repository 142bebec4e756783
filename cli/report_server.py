"""`make serve`'s report server: each run's report over HTTP, read-only, on loopback by default.

    .venv/bin/python -m cli.report_server --root .distillery --port 4201 [--host 127.0.0.1]

Serves report.html, report.pdf and cost.csv of any run folder under the root (`.../runs/<run id>/`), and
nothing else: labels, prompts and evaluation answers can hold personal data, so they never leave the machine
this way. The Prefect UI links here (DISTILLERY_REPORT_URL), so a report opens from the run page, also from
another machine when the host is opened up on purpose.

Hand-written on the standard library's http.server: a maintained static server (nginx, caddy) would need an
allow-list of three file names just the same, and one more program to install next to Prefect.
"""

import argparse
import re
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SERVED = ("report.html", "report.pdf", "cost.csv")
_RUN_FILE = re.compile(r"^/(?:[A-Za-z0-9._-]+/)*runs/[A-Za-z0-9][A-Za-z0-9._-]{0,99}/(?:%s)$" % "|".join(
    re.escape(name) for name in SERVED))


class ReportHandler(SimpleHTTPRequestHandler):
    """GET/HEAD of a run's report files only; no directory listings, no other files, no '..'."""

    def send_head(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if ".." in path or not _RUN_FILE.match(path):
            self.send_error(404, "only a run's report.html, report.pdf and cost.csv are served here")
            return None
        return super().send_head()

    def list_directory(self, path):
        self.send_error(404, "no listings")
        return None

    def log_message(self, format, *args):  # quiet: one line per request would flood `make serve`'s log
        pass


def serve(root: Path, host: str, port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), partial(ReportHandler, directory=str(root.resolve())))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path(".distillery"), help="the store (or a folder above stores)")
    ap.add_argument("--host", default="127.0.0.1", help="127.0.0.1: this machine only")
    ap.add_argument("--port", type=int, default=4201)
    args = ap.parse_args()
    server = serve(args.root, args.host, args.port)
    print(f"reports under {args.root.resolve()} at http://{args.host}:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
