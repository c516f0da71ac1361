"""Request-wide rules: the interface language, URL integers, caching and idle sessions."""

from django.conf import settings
from django.http import Http404
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .validators import INT64_MAX, INT64_MIN


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user picked another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and
    many office PCs run English browsers; the product is Chinese first, so only
    the language cookie set by the switch counts.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class UrlIntegerMiddleware:
    """An integer in the URL beyond what a database column holds is a page that does not exist.

    ``<int:pk>`` accepts any number of digits; such a value reaching a query crashed the SQLite
    driver (500) where a missing record answers 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
                raise Http404(_("没有找到该记录，或它不在您的管理范围内。"))
        return None


class NoStoreMiddleware:
    """Pages and exports for a signed-in user (or an API token) are never kept by a browser or proxy.

    A roster page left in the browser cache of a shared office PC would be readable after logout.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            add_never_cache_headers(response)  # Cache-Control: …, no-store, private
        return response


class IdleSessionMiddleware:
    """A signed-in session ends after ``SESSION_IDLE_MINUTES`` without a request.

    The stored session expires ``SESSION_COOKIE_AGE`` after it was last saved; a request renews it
    once it is a minute old (``vanguard.core.sessions`` knows its expiry), so an active user stays
    signed in and an idle one is signed out within a minute of the limit, and a page view writes to
    the database at most once a minute.
    """

    RENEW_AFTER_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        expires = getattr(session, "expire_date", None)
        if expires is not None and not session.is_empty():
            age = settings.SESSION_COOKIE_AGE - (expires - timezone.now()).total_seconds()
            if age >= self.RENEW_AFTER_SECONDS:
                session.modified = True  # SessionMiddleware saves it: a new expiry and cookie
        return response
