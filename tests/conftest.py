"""Shared fixtures of the test suite."""
import json
from pathlib import Path

import pytest
import responses

DATA_DIR = Path(__file__).parent / 'data'


@pytest.fixture
def cert_path(tmp_path):
    """The path of a readable (dummy) client certificate file.

    Enough for request-level tests: the certificate is only checked for
    readability at construction, ``responses`` never opens it.
    """
    path = tmp_path / 'client.pem'
    path.write_text('-----BEGIN CERTIFICATE-----\n'
                    '-----END CERTIFICATE-----\n')
    return str(path)


@pytest.fixture
def lmod_mock():
    """A ``responses`` mock of LMod; every registered call must be made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def lmod_payload():
    """Return a loader of the JSON payloads in ``tests/data``."""
    def load(name):
        with open(DATA_DIR / '{0}.json'.format(name), encoding='utf-8') as f:
            return json.load(f)
    return load
