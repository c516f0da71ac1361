"""REST API v1 (django-ninja): OpenAPI at /api/docs, endpoints under /api/v1/."""

from ninja import NinjaAPI

from vanguard.activities.api import router as activities_router
from vanguard.campaigns.api import router as campaigns_router
from vanguard.orgs.api import router as orgs_router
from vanguard.plans.api import router as plans_router
from vanguard.rubrics.api import router as rubrics_router

from .auth import AUTH

api = NinjaAPI(
    title="Vanguard API",
    version="1",
    description="先锋 · 争创“四强”党组织、争做“四优”共产党员 — REST API",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/v1/", orgs_router)
api.add_router("/v1/", campaigns_router)
api.add_router("/v1/", rubrics_router)
api.add_router("/v1/", plans_router)
api.add_router("/v1/", activities_router)
