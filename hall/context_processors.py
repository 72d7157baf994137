from django.utils.functional import SimpleLazyObject


def hall(request):
    """The bell's unread count, read only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from hall.notifications import unread_count

    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
