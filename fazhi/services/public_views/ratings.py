"""Portal pages of 好差评: the rating page a one-time link opens (phone first, no login) and
the public figures per month and per center (counts and rates only, no personal data)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from fazhi.core import ratelimit
from fazhi.core.errors import DomainError
from fazhi.services.forms.ratings import RatingForm
from fazhi.services.models.ratings import BAD_REASONS, GOOD_REASONS, RatingLevel
from fazhi.services.selectors import ratings as selectors
from fazhi.services.services import ratings as services


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the address: never cached, never sent to another site as a referrer
    # ("same-origin", not "no-referrer": with no referrer the browser posts the form with
    # `Origin: null`, which the CSRF check rightly refuses).
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _gone(request, error: DomainError) -> HttpResponse:
    return _private(
        render(
            request,
            "services/ratings/public/gone.html",
            {"message": str(error.message), "status": error.status},
            status=error.status,
        )
    )


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    found = services.link_state(token)
    if found.error is not None:
        return _gone(request, found.error)
    case = found.token.case
    form = RatingForm(request.POST or None)
    status = 200
    done = False
    if request.method == "POST":
        if not ratelimit.hit(request, "public_form"):
            return _private(render(request, "services/ratings/public/limited.html", {}, status=429))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rating_submit(
                    channel=found.token.channel,
                    token=token,
                    level=data["level"],
                    reasons=data["reasons"],
                    comment=data["comment"],
                    real_name=data["real_name"],
                    rater_name=data["rater_name"],
                    rater_phone=data["rater_phone"],
                    request=request,
                )
            except (services.RatingLinkGone, services.RatingLinkUnknown) as exc:
                return _gone(request, exc)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                done = True
        else:
            status = 422
    context = {
        "case": case,
        "channel": found.token.get_channel_display(),
        "expires_on": timezone.localdate(found.token.expires_at),
        "done": done,
        "form": form,
        "levels": RatingLevel.choices,
        "good_reasons": GOOD_REASONS,
        "bad_reasons": BAD_REASONS,
        "chosen_reasons": set(form["reasons"].value() or []),
        "chosen_level": str(form["level"].value() or ""),
        "real_name_value": str(form["real_name"].value() or "0"),
    }
    return _private(render(request, "services/ratings/public/rate.html", context, status=status))


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    agencies = selectors.public_agencies()
    wanted = _int(request.GET.get("agency"))
    agency = next((a for a in agencies if a.pk == wanted), agencies[0] if agencies else None)
    years, year, by_month, by_center = [], None, None, None
    if agency is not None:
        years = selectors.figure_years(agency)
        year = _int(request.GET.get("year"))
        year = year if year in years else years[0]
        by_month = selectors.figures(agency, year=year, by="month")
        by_center = selectors.figures(agency, year=year, by="center")
    return render(
        request,
        "services/ratings/public/figures.html",
        {
            "agencies": agencies,
            "agency": agency,
            "years": years,
            "year": year,
            "by_month": by_month,
            "by_center": by_center,
            "definitions": services.DEFINITIONS,
        },
    )
