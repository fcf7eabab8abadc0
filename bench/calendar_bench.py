"""Benchmark of the working-day calendar (not a test): `python -m bench.calendar_bench`.

Registered in bench/__main__.py's BENCHMARKS it runs with `make bench` too.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

CALLS = 1_000_000
PACKAGE_CALLS = 5_000


def bench_add_workdays(n: int = CALLS) -> None:
    """n add_workdays calls on the 2004–2026 schedule vs n plain `date + timedelta` additions.

    A second line scales chinesecalendar's own day-by-day find_workday (a smaller count, it is
    slow) to the same per-call unit, for the comparison with the package we replace.
    """
    # Imported here: bench/__main__.py imports this module, and importing it back at the top
    # would be circular when the suite runs as `python -m bench`.
    import chinese_calendar

    from bench.__main__ import report, timed
    from fazhi.core.calendar import add_workdays, services, workdays

    services.calendar_import(years=range(2004, 2027), actor_name="bench")
    workdays.forget()
    rng = random.Random(2026)  # the same inputs on every run
    first = date(2004, 1, 1).toordinal()
    span = date(2026, 6, 30).toordinal() - first
    starts = [date.fromordinal(first + rng.randrange(span)) for _ in range(n)]
    counts = [rng.randrange(0, 41) for _ in range(n)]
    deltas = [timedelta(days=c) for c in counts]
    pairs = list(zip(starts, counts, strict=True))
    plain_pairs = list(zip(starts, deltas, strict=True))
    add_workdays(starts[0], counts[0])  # load the cache outside the timing

    def fazhi_calls():
        for day, count in pairs:
            add_workdays(day, count)

    def plain_additions():
        for day, delta in plain_pairs:
            day + delta  # the addition is what is timed

    report(f"add_workdays ×{n:,}", timed(fazhi_calls), timed(plain_additions), n)

    sample = pairs[:PACKAGE_CALLS]

    def package_calls():
        for day, count in sample:
            # The n-th working day strictly after day, in the package's own terms.
            if count:
                chinese_calendar.find_workday(count - 1, day + timedelta(days=1))
            else:
                chinese_calendar.find_workday(0, day)

    def fazhi_sample():
        for day, count in sample:
            add_workdays(day, count)

    ours, theirs = timed(fazhi_sample), timed(package_calls, 1)
    # report() puts Fazhi first; here the package is the slower side, so say it as a speed-up.
    print(
        f"{'  chinesecalendar ×' + format(PACKAGE_CALLS, ','):<28} fazhi "
        f"{ours * 1e6 / PACKAGE_CALLS:9.1f} µs/op   package  {theirs * 1e6 / PACKAGE_CALLS:9.1f} "
        f"µs/op   speed-up ×{theirs / ours:.0f}"
    )


if __name__ == "__main__":
    from bench.__main__ import _setup

    _setup()
    bench_add_workdays()
