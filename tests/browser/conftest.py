import pytest


@pytest.fixture
def live_demo(transactional_db, live_server):
    """The demo agency in the database the live server reads."""
    from django.conf import settings

    from fazhi.core.demo import build_demo

    agency, _ = build_demo(password=settings.FAZHI_DEMO_PASSWORD)
    return agency


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
