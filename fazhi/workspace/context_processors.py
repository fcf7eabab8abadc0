from fazhi.workspace.navigation import items_for


def workspace(request):
    """Navigation for staff pages; computed lazily so public pages pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": lambda: items_for(user, request.path)}
