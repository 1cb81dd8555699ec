import signal

pytest_plugins = ["tests.fixtures.cli", "pytester"]


def pytest_configure() -> None:
    # A shell starts a background job with Ctrl-C ignored, and an ignored signal stays ignored in every child: the
    # tests that stop a run or a server with SIGINT would see it ignored. Children of a process with a handler start
    # with the default again, so that they handle SIGINT as they do in a terminal.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
