import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_unless_a_test_asks_otherwise():
    """LocaleMiddleware leaves the last request's language active in the thread; start each test in
    English and restore afterwards, so a Chinese-page test cannot change later tests' messages."""
    with translation.override("en"):
        yield
