"""Language choice: Chinese unless the user has switched (the cookie set by /i18n/setlang/).

Django's LocaleMiddleware would follow the browser's Accept-Language, so a government PC with
an English browser would show English to staff who never asked for it. Chinese comes first.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class CookieLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class MethodNotAllowedMiddleware:
    """A request with a method the page or API route does not take (a GET of a POST-only
    form, a DELETE the API has no route for) gets a Chinese answer: Django's and ninja's own
    405 responses are empty or English. The Allow header is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False):
            return response
        allow = response.headers.get("Allow", "")
        if request.path.startswith("/api/"):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            answer = JsonResponse(
                {"code": "method_not_allowed", "message": _("不支持该请求方法。"), "detail": None},
                status=405,
            )
        else:
            from django.template.response import TemplateResponse

            answer = TemplateResponse(request, "405.html", status=405).render()
        if allow:
            answer.headers["Allow"] = allow
        return answer
