import pytest

from tests.community import make_user


@pytest.fixture
def alice(client):
    """A signed-in reader."""
    user = make_user("alice")
    client.force_login(user)
    return user
