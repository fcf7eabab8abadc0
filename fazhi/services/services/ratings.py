"""好差评: ratings, one-time links, the bad-review loop, appeals (built in issue 7, part 4)."""

from __future__ import annotations


def rating_invite(case, *, actor=None) -> dict[str, str]:
    """Issue the one-time rating links (online, SMS) of a concluded case.

    Called by the cases service when a case concludes, inside its transaction. Returns
    {channel: path of the rating page} for the channels issued. Until the ratings area is
    built no link is issued.
    """
    return {}
