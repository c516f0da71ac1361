from datetime import date

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from vanguard.core.policy import require

from .models import Inspection

router = Router(tags=["example"])


class InspectionOut(Schema):
    id: int
    org_id: int
    title: str
    starts_on: date
    announced: bool


@router.get("example/inspections", response=list[InspectionOut], summary="督查列表（示例）")
@paginate(PageNumberPagination, page_size=50)
def list_example_inspections(request):
    require(request, Inspection)  # 403 for a user whom the policy could never show one, as the page
    return Inspection.objects.for_user(request.user).order_by("-starts_on", "-pk")
