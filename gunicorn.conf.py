"""gunicorn's settings for the shop: ``gunicorn app:app`` reads this file from its working folder
(the repository), and the systemd unit (deploy/systemd/jomso.service) adds the log files.

Two settings come from the environment (the same env file as the shop's, /etc/jomso/jomso.env):
``JOMSO_BIND`` (default ``127.0.0.1:8000``: only nginx on this machine talks to gunicorn) and
``JOMSO_WORKERS`` (default two per CPU plus one). Command-line options win over this file.

What the logs hold is in docs/deployment.md#logs: no client address, query string, referrer or
user agent ever reaches the access log.
"""

import multiprocessing
import os

# Each worker checks at start that this file's timeout fits the payment timeouts, and refuses
# to serve if it does not (jomso/gunicorn_hooks.py).
from jomso.gunicorn_hooks import post_worker_init  # noqa: F401

bind = os.environ.get("JOMSO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("JOMSO_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"  # nginx buffers slow clients, so a sync worker is never held by one
proc_name = "jomso"

# A worker silent for this long is killed and replaced. The slowest thing a request waits for
# is Braintree, and the payment gateway's own timeout (JOMSO_BRAINTREE_TIMEOUT, 10 s, which
# the SDK may wait twice: to connect and for the answer) is clearly shorter: a slow gateway
# leads the customer to the "we are checking your payment" page (settled by
# reconcile-payments), it never gets the worker killed in the middle of an order.
timeout = 30
# On a restart or stop, workers finish the requests in hand for up to this long.
graceful_timeout = 30
keepalive = 5

# The access log (its file is given by the unit's --access-logfile): time, method, path
# without the query string, protocol, status, bytes and milliseconds. Never the client's
# address (%(h)s, which behind nginx is nginx anyway), the query string (%(q)s, %(r)s), the
# referrer (%(f)s) or the user agent (%(a)s): each can carry personal data. Secret tokens in
# paths (password reset, email confirmation) are masked by the shop's log filter
# (jomso/logging_setup.py) as the line is written; the numbers are labelled because that filter
# masks a run of digits and spaces as a phone or card number.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" status=%(s)s bytes=%(b)s ms=%(M)s'

# Anything a worker prints (a library's warning) goes to the error log too, not lost.
capture_output = True
