"""Serve a seeded fake LMod for the benchmarks until terminated.

Usage: python serve.py SEED_JSON CERT_DIR

Prints one JSON line (url, client_cert, ca_cert) once it is listening.
"""
import json
import signal
import sys
import threading

from pylmod.testing import FakeLmod, LmodServer


def main() -> None:
    seed_path, cert_dir = sys.argv[1:3]
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    fake = FakeLmod.from_file(seed_path)
    with LmodServer(fake, cert_dir=cert_dir) as server:
        print(json.dumps({'url': server.url,
                          'client_cert': server.client_cert,
                          'ca_cert': server.ca_cert}), flush=True)
        stopped.wait()


if __name__ == '__main__':
    main()
