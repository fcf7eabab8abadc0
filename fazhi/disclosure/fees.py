"""The information-processing fee (信息处理费), 国办函〔2020〕109号 Art. 3–5 (domain-rules.md §1.1).

Free by default (OGI Art. 42). A fee is charged per item (按件) or per volume (按量), progressive
(超额累进), never both on one application:

* per item, same applicant, one natural month: items up to `disclosure.free_items_per_month`
  (10) free; items 11–30 at 100 元; from item 31 every band of 10 items adds 100 元 to the rate;
* per volume: pages up to `disclosure.free_pages` (30) free; 31–100 at 10 元/页; 101–200 at
  20 元/页; from 201 at 40 元/页.

The free allowances are the agency's settings. The rates and bands are the State Council's
national standard, which no agency may vary, so they are constants here rather than settings
(an agency setting would only make an unlawful charge possible).
"""

from __future__ import annotations

from decimal import Decimal

# Per item (Art. 4): the end of the first paid band, its rate, the band width beyond it and
# the rise per band.
ITEM_FIRST_BAND_END = 30
ITEM_RATE = 100
ITEM_BAND = 10
ITEM_RATE_STEP = 100
# Per volume (Art. 5): (last page of the band, rate per page); the last band is open-ended.
PAGE_BANDS = ((100, 10), (200, 20), (None, 40))


def item_rate(ordinal: int, free_items: int) -> int:
    """The fee in yuan for the applicant's `ordinal`-th item of the month."""
    if ordinal <= free_items:
        return 0
    if ordinal <= ITEM_FIRST_BAND_END:
        return ITEM_RATE
    bands = -(-(ordinal - ITEM_FIRST_BAND_END) // ITEM_BAND)  # ceiling division
    return ITEM_RATE + ITEM_RATE_STEP * bands


def per_item_fee(items_before: int, items: int, free_items: int) -> Decimal:
    """Fee for `items` items when the applicant already had `items_before` this month."""
    return Decimal(
        sum(item_rate(k, free_items) for k in range(items_before + 1, items_before + items + 1))
    )


def per_page_fee(pages: int, free_pages: int) -> Decimal:
    total = 0
    lower = free_pages
    for upper, rate in PAGE_BANDS:
        top = pages if upper is None else min(pages, upper)
        if top > lower:
            total += (top - lower) * rate
        if upper is not None:
            lower = max(lower, upper)
    return Decimal(total)
