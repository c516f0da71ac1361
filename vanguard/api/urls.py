"""REST API v1 (django-ninja): OpenAPI at /api/docs, endpoints under /api/v1/.

Each app's router is the one it registered (``registry.register_api``), mounted in the order
of ``INSTALLED_APPS``.
"""

from ninja import NinjaAPI

from vanguard.core.registry import api_routers

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
for prefix, router in api_routers():
    api.add_router(prefix, router)
