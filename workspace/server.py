"""``jjjkg serve``: the workspace on a production WSGI server (waitress), until SIGTERM or SIGINT.

The first line on stdout is ``serving http://HOST:PORT/`` once the socket accepts connections
(``--port 0`` picks a free port and prints it). The store is opened and its graph built before that
line, so the first request is answered from memory.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from graph.errors import JjjkgError

from .config import MAX_UPLOAD_BYTES, WorkspaceConfig, configure

__all__ = ["serve", "THREADS"]

#: request threads of the server (the graph is shared, read-only, by all of them)
THREADS = 8


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def serve(cfg: WorkspaceConfig, *, store: Path, port: int = 8000, say=print) -> int:
    """Run the workspace until a signal ends it; returns the exit code."""
    from . import live
    from .bundle import bundle_problem

    problem = bundle_problem()
    if problem:
        raise JjjkgError(problem)
    configure(cfg)
    live.install(store)

    import waitress
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    try:
        server = waitress.create_server(app, host=cfg.host, port=port, threads=THREADS, ident="jjjkg",
                                        max_request_body_size=8 * MAX_UPLOAD_BYTES,
                                        clear_untrusted_proxy_headers=True, channel_timeout=120)
    except OSError as err:
        raise JjjkgError(f"cannot listen on {cfg.host}:{port}: {err.strerror}; choose another --port "
                         "(0 picks a free one)") from None

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"serving http://{_url_host(cfg.host)}:{server.effective_port}/", flush=True)
    _warm()
    if cfg.host not in ("127.0.0.1", "localhost", "::1"):
        say("note: the workspace speaks plain HTTP; on an intranet put it behind the agency's proxy, which ends TLS "
            "(and pass --secure-cookies)")
    try:
        server.run()
    except SystemExit:
        pass
    finally:
        server.close()
        _stop_engines()
    say("workspace stopped")
    return 0


def _warm() -> None:
    """Prepare the home page's and the default dashboard's content while the first visitor signs in."""
    import threading

    from . import live

    def run():
        try:
            live.live().current().warm()
        except Exception:  # a page that needs it computes it again and reports what went wrong there
            import logging

            logging.getLogger("jjjkg.workspace").exception("could not prepare the briefing's content")

    threading.Thread(target=run, name="jjjkg-warm", daemon=True).start()


def _stop_engines() -> None:
    """End the embedded Cypher servers this process started (the console's), if any."""
    mod = sys.modules.get("workspace.engine")
    if mod is not None and hasattr(mod, "close_all"):
        mod.close_all()
