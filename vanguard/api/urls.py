"""REST API v1 (django-ninja): OpenAPI at /api/docs, endpoints under /api/v1/."""

from ninja import NinjaAPI

from vanguard.orgs.api import router as orgs_router

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
