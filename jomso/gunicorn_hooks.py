"""gunicorn server hooks: each worker refuses to serve when its timeout does not fit the shop's
payment timeouts (``jomso.config.payment_timing_problems``), and keeps what it loaded out of
the garbage collector's full passes.

Only gunicorn knows its worker timeout, so the check runs in gunicorn's ``post_worker_init``
hook, once the worker has loaded the app. The shipped ``gunicorn.conf.py`` takes the hook with
``from jomso.gunicorn_hooks import post_worker_init``; ``--config python:jomso.gunicorn_hooks``
loads it alone. A worker that refuses stops gunicorn ("Worker failed to boot", exit status 3)
with the reason in its error log. This module defines no other name that gunicorn would read
as a setting.
"""

from __future__ import annotations

import gc

from jomso.config import payment_timing_problems


def post_worker_init(worker) -> None:
    """Refuse to serve (RuntimeError) when gunicorn's timeout could kill a worker waiting for
    Braintree, or undercut the reconciling delay. A timeout of 0 (none) is not checked."""
    app = worker.wsgi
    problems = payment_timing_problems(app.config, float(worker.cfg.timeout or 0))
    if problems:
        raise RuntimeError("Refusing to serve: " + " ".join(problems))
    # What the worker loaded (the modules, the app: about 190,000 objects) lives as long as the
    # worker. Python's collector went through all of it on each full pass, 60 to 140 ms every
    # few thousand requests, a pause for the requests queued behind it; frozen, a pass goes
    # through only what was made since.
    gc.freeze()
