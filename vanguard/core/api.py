"""What every API list shares with its page: the page's FilterSet, applied and documented.

An API list filters with the FilterSet class its list page uses, so ``?org=…&status=…`` means the
same on both, and a filter added to the page reaches the API without a second schema::

    @router.get("plans", response=list[PlanOut], openapi_extra=query_parameters(PlanFilterSet))
    @paginate(PageNumberPagination, page_size=50)
    def list_plans(request):
        require(request, OrgPlan)
        return filtered(PlanFilterSet, request, OrgPlan.objects.for_user(request.user))

Refusals need nothing here: the API answers the policy's ``PermissionDenied`` (403), ``Http404``
and Django's ``ValidationError`` as JSON in one place (``vanguard/api/urls.py``).
"""

from __future__ import annotations

import django_filters
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

from .lists import kept_count

# A page past this is refused as invalid input (422), not sent to the database as an offset too
# large for its integers (SQLite answered a 500).
MAX_PAGE = 100_000


class PageNumberPagination(NinjaPageNumberPagination):
    """ninja's page-number pagination with the page number bounded (``MAX_PAGE``), and its total
    kept like the list page's (``kept_count``): the ``COUNT(*)`` of a bureau's 123,000 meetings was
    three quarters of the API list's SQL."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)

    def paginate_queryset(self, queryset, pagination, request, **params):
        """The page, and what its rows show from other tables attached to them by the queryset's
        ``decorate_page`` when it has one (a meeting's attendance), in one query for the page."""
        page = super().paginate_queryset(queryset, pagination, request, **params)
        decorate = getattr(queryset, "decorate_page", None)
        if decorate is not None:
            page["items"] = list(page["items"])
            decorate(page["items"])
        return page

    def _items_count(self, queryset) -> int:
        kept = kept_count(queryset)
        return super()._items_count(queryset) if kept is None else kept


def filtered(filterset_class, request, queryset):
    """``queryset`` filtered by ``filterset_class`` from the query string.

    Invalid input (an unknown status, an org or campaign outside the user's scope, a malformed
    date) is a 422 in ninja's own error shape, naming the parameter, where the page would show
    the form error: never a silently unfiltered list.
    """
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError([
            {"loc": ["query", name], "msg": error["message"], "type": error["code"]}
            for name, errors in filterset.errors.get_json_data().items()
            for error in errors
        ])
    return filterset.qs


def _choices(filter_) -> list[str]:
    choices = filter_.extra.get("choices", ())
    return [str(value) for value, _label in (choices() if callable(choices) else choices)]


def _schema(filter_) -> dict:
    # ModelChoiceFilter is a ChoiceFilter: it must be asked first.
    if isinstance(filter_, django_filters.ModelChoiceFilter):
        return {"type": "integer"}
    if isinstance(filter_, django_filters.MultipleChoiceFilter):
        return {"type": "array", "items": {"type": "string", "enum": _choices(filter_)}}
    if isinstance(filter_, django_filters.ChoiceFilter):
        return {"type": "string", "enum": _choices(filter_)}
    if isinstance(filter_, django_filters.BooleanFilter):
        return {"type": "boolean"}
    if isinstance(filter_, django_filters.DateFilter):
        return {"type": "string", "format": "date"}
    if isinstance(filter_, django_filters.NumberFilter):
        return {"type": "number"}
    return {"type": "string"}


def query_parameters(filterset_class) -> dict:
    """The FilterSet's filters as OpenAPI query parameters, for ``openapi_extra``.

    Ninja reads the parameters of a view's signature only; a FilterSet applied inside the view
    is invisible to it. A repeated parameter (``?status=a&status=b``) is a multiple choice.
    """
    return {"parameters": [
        {
            "in": "query", "name": name, "required": False,
            "description": str(filter_.label or name), "schema": schema,
            **({"style": "form", "explode": True} if schema["type"] == "array" else {}),
        }
        for name, filter_ in filterset_class.base_filters.items()
        for schema in [_schema(filter_)]
    ]}
