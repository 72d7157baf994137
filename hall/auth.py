from django.contrib.auth.backends import ModelBackend

from hall.models import User


class NumberOrUsernameBackend(ModelBackend):
    """Lets people log in with their staff or student number as well as their user name."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username:
            return user
        candidate = User.objects.filter(number=username).first()
        if (
            candidate
            and candidate.check_password(password)
            and self.user_can_authenticate(candidate)
        ):
            return candidate
        return None
