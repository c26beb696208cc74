import pytest
from django.contrib.auth import get_user_model

from certauth.models import Certificate


@pytest.fixture
def alice(db):
    user = get_user_model().objects.create_user("alice")
    Certificate.objects.create(user=user, subject="CN=alice,O=Example")
    return user


def test_success_logs_in(client, alice):
    r = client.get("/", HTTP_X_SSL_CLIENT_VERIFY="SUCCESS", HTTP_X_SSL_CLIENT_DN="CN=alice,O=Example")
    assert r.content == b"alice"


@pytest.mark.parametrize("verify", ["NONE", "FAILED:unable to get issuer certificate", "", "SUCCESS,NONE"])
def test_anything_else_is_anonymous(client, alice, verify):
    r = client.get("/", HTTP_X_SSL_CLIENT_VERIFY=verify, HTTP_X_SSL_CLIENT_DN="CN=alice,O=Example")
    assert r.content == b""
