"""The limits of a client's calls: one frozen Limits object, built by Base
from its 1.0.x class attributes, taken by the Open edX client, shown by the
``pylmod`` command (pylmod._transport.Limits)."""
import pickle

import pytest
import requests

from pylmod._transport import DEADLINE_FACTOR, MAX_RESPONSE_BYTES, Limits
from pylmod.base import Base

# The compatibility path under test: pylmod.base, where callers find Limits.
from pylmod.base import Limits as PublicLimits
from pylmod.gradebook import GradeBook
from pylmod.openedx.client import OpenEdxClient

URLBASE = 'https://learning-modules-test.mit.edu:8443/'
LMS_URL = 'https://lms.example.edu'


def test_the_deadline_is_three_read_timeouts_unless_given():
    assert DEADLINE_FACTOR == 3
    assert Limits((10, 200)).deadline == 600
    assert Limits(60).timeout == (60, 60)
    assert Limits(60, deadline=90).deadline == 90
    assert Limits(60).max_response_bytes == MAX_RESPONSE_BYTES == 256 << 20


def test_a_call_without_a_read_timeout_needs_a_deadline():
    with pytest.raises(ValueError, match='deadline='):
        Limits((5, None))
    assert Limits((5, None), deadline=30).timeout == (5, None)


def test_limits_are_frozen_values():
    limits = Limits((10, 200), max_response_bytes=1000)
    with pytest.raises(AttributeError, match='frozen'):
        limits.deadline = 1  # type: ignore[misc]
    assert limits == Limits((10.0, 200.0), deadline=600,
                            max_response_bytes=1000)
    assert limits != Limits((10, 200))
    assert len({limits, Limits((10, 200), max_response_bytes=1000)}) == 1
    assert pickle.loads(pickle.dumps(limits)) == limits
    assert repr(limits) == ('Limits(timeout=(10.0, 200.0), deadline=600.0, '
                            'max_response_bytes=1000)')


def test_base_builds_them_from_its_class_attributes(cert_path):
    client = Base(cert_path, URLBASE)
    assert client.limits == Limits((10, 200))
    assert client.limits.deadline == 600
    assert PublicLimits is Limits


def test_a_subclass_override_keeps_working(cert_path):
    class QuickBase(Base):
        TIMEOUT = 20
        CONNECT_TIMEOUT = 30
    assert QuickBase(cert_path, URLBASE).limits == Limits(20, deadline=60)


def test_a_timeout_set_on_a_client_counts_from_its_next_call(cert_path):
    # 1.0.x read TIMEOUT at each call: setting it on a client still works.
    client = Base(cert_path, URLBASE)
    client.TIMEOUT = 5
    assert client.limits == Limits(5, deadline=15)
    assert client.timeout == (5, 5)


def test_the_arguments_of_a_client_make_its_limits(cert_path):
    gradebook = GradeBook(cert_path, URLBASE, gbuuid=None, timeout=2,
                          deadline=3, max_response_bytes=1000)
    assert gradebook.limits == Limits(2, deadline=3, max_response_bytes=1000)
    assert Base.TIMEOUT == 200


def test_the_open_edx_client_takes_limits():
    limits = Limits((1, 4), max_response_bytes=100)
    client = OpenEdxClient(requests.Session(), LMS_URL, timeout=limits)
    assert client.limits is limits
    assert client.timeout == (1, 4)
    assert OpenEdxClient(requests.Session(), LMS_URL).limits == Limits(
        (5, 60), deadline=180)
    with pytest.raises(ValueError, match='twice'):
        OpenEdxClient(requests.Session(), LMS_URL, timeout=limits,
                      deadline=10)
