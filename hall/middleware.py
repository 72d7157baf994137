from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


class HallLanguageMiddleware:
    """Simplified Chinese unless the person chose English with the switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many staff
    machines send en-US: the hall is meant to open in Chinese for them all the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class HallHeadersMiddleware:
    """Headers every page of the hall carries.

    Permissions-Policy turns off browser features the hall never uses. Whatever is shown to a
    signed-in person (a request, a task, messages, records, attachments, PDFs, Excel files) is
    theirs alone: marked private and not to be stored, so neither a shared proxy nor the
    browser's cache on a shared office computer keeps a copy. Static files never get here
    (WhiteNoise answers them first) and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.HALL_PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.static_prefix)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
