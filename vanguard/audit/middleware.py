from .context import acting_for


class AuditContextMiddleware:
    """Makes the request's user and IP the actor of every audit event it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_for(request):
            return self.get_response(request)
