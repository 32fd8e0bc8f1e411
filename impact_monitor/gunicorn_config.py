"""gunicorn's settings for serving the dashboard in production:

    gunicorn -c python:impact_monitor.gunicorn_config --bind 0.0.0.0:8050 app:server

Any of them can be changed on that command line (`--workers 5`), which wins over this file.

Why threads (gunicorn's gthread worker) and not its default sync worker: a sync worker serves one connection at
a time, from its first byte to its last, so a client that sends its request slowly, or reads the answer slowly,
holds a whole worker, and three such clients held every worker of a three-worker server: `/healthz` went
unanswered. A gthread worker hands each connection to a pool of `threads` threads, and keeps idle kept-alive
connections on its main loop, without a thread; a client that trickles its headers holds one thread, not the
worker, and the other threads go on serving. It still holds that thread until it finishes or leaves: it takes
`workers` x `threads` such clients at once to stall the app. Facing the internet, put a buffering reverse proxy
(nginx) in front: it reads each request whole before passing it on and takes each answer at once, so no slow
client reaches the app.
"""

worker_class = "gthread"
workers = 3
# Threads per worker: each running request holds one. Callbacks mostly wait on their database, so more threads
# than cores is right; and the more there are, the more slow clients it takes to hold them all. Requests beyond
# IMPACT_CALLBACKS_PER_ACCOUNT of one account are refused at once, so one account cannot hold them either.
threads = 16
# Seconds a worker may go without reporting to the arbiter before it is killed and replaced. A gthread worker
# reports from its main loop, whatever its threads are doing, so this catches a stuck process, not a slow request.
timeout = 60
graceful_timeout = 30  # seconds a stopping worker (SIGTERM, a restart) has to finish the requests it holds
# Seconds a kept-alive connection may wait for its next request. It waits on the main loop (no thread), and a
# browser opens its next request within a moment of the last, so a few seconds are enough.
keepalive = 5
# Connections one worker keeps at once, busy and kept alive together; beyond it, other workers take new ones.
# Well under the 1,024 open files a process may have by default, which the databases and logs also use.
worker_connections = 500
# The request line (method, path, query) and headers a request may have, in bytes and in number: the app's
# addresses are short, and a browser sends a dozen or two headers. A request over them is refused (414, 431 or
# 400) before it reaches the app.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
