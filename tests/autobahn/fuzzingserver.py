# Python 2 wrapper around Autobahn|Testsuite's fuzzing server (`wstest -m fuzzingserver`) that binds 127.0.0.1 only.
#
# wstest listens on 0.0.0.0 and starts a web UI on 8080; this starts the same FuzzingServerFactory with
# listenWS(..., interface="127.0.0.1"), no web UI, on the spec's port (0 = a free one), and prints
# `listening on ws://127.0.0.1:PORT` once it listens. Run with tests/autobahn/.venv27/bin/python -u.
# Usage: fuzzingserver.py SPEC.json
import sys
import json

# Must come first: installs the fastest reactor (epoll), as wstest does.
from autobahntestsuite import choosereactor  # noqa: F401
from twisted.internet import reactor
from autobahn.twisted.websocket import listenWS
from autobahntestsuite.fuzzing import FuzzingServerFactory


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: fuzzingserver.py SPEC.json\n")
        return 2
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    factory = FuzzingServerFactory(spec, debug=False)
    port = listenWS(factory, interface="127.0.0.1")
    actual = port.getHost().port
    # The Host header check and the reports use the port the factory was made with: make it the real one.
    factory.port = actual
    factory.externalPort = actual
    sys.stdout.write("listening on ws://127.0.0.1:%d\n" % actual)
    sys.stdout.flush()
    reactor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
