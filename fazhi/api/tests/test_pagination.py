import pytest

from fazhi.api.pagination import MAX_LIMIT, decode_cursor, encode_cursor, paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Agency
from fazhi.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_pages_walk_every_row_once_newest_first():
    made = [AgencyFactory().pk for _ in range(7)]
    seen, cursor = [], None
    while True:
        page = paginate(Agency.objects.all(), cursor=cursor, limit=3)
        seen += [a.pk for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True)


def test_rows_added_meanwhile_do_not_shift_the_next_page():
    for _ in range(4):
        AgencyFactory()
    first = paginate(Agency.objects.all(), cursor=None, limit=2)
    AgencyFactory()  # newer than every row already shown
    second = paginate(Agency.objects.all(), cursor=first["next_cursor"], limit=2)
    assert {a.pk for a in first["items"]}.isdisjoint(a.pk for a in second["items"])


@pytest.mark.parametrize(
    ("cursor", "limit"), [("%%%", 10), ("bm90LWEtbnVtYmVy", 10), (None, 0), (None, MAX_LIMIT + 1)]
)
def test_bad_cursor_or_limit_is_refused(cursor, limit):
    with pytest.raises(InvalidInput):
        paginate(Agency.objects.all(), cursor=cursor, limit=limit)


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(12345)) == 12345
