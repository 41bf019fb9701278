"""The JSON API: /api/v1/…, OpenAPI at /api/openapi.json, interactive docs at /api/docs."""

from ninja import NinjaAPI

from veracity.accounts.api import router as accounts_router
from veracity.accounts.authentication import api_auth
from veracity.activities.api import router as activities_router
from veracity.analytics.api import router as analytics_router
from veracity.catalog.api import router as catalog_router
from veracity.core.api import install_error_handlers
from veracity.customers.api import router as customers_router
from veracity.dedup.api import router as dedup_router
from veracity.exports.api import router as exports_router
from veracity.feedback.api import router as feedback_router
from veracity.forecasting.api import router as forecasting_router
from veracity.imports.api import router as imports_router
from veracity.marketing.api import router as marketing_router
from veracity.notifications.api import router as notifications_router
from veracity.ops.api import router as ops_router
from veracity.pipeline.api import router as pipeline_router
from veracity.quality.api import router as quality_router
from veracity.sales.api import router as sales_router
from veracity.service.api import router as service_router
from veracity.standards.api import router as standards_router
from veracity.workspace.api import router as workspace_router

api = NinjaAPI(
    title="Veracity API",
    version="1",
    description=(
        "Every entity of the CRM. Authenticate with a personal token (`Authorization: Bearer <token>`; "
        "create one with `veracity token create USERNAME` or on your profile page). Lists are paginated "
        "with `limit`/`offset` and answer `{count, items}`. Updates need `If-Match` with the ETag you read. "
        "Errors always answer `{code, message, detail}`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=api_auth,
)
install_error_handlers(api)
for router in (accounts_router, customers_router, catalog_router, sales_router, pipeline_router,
               activities_router, workspace_router, standards_router, imports_router, exports_router, ops_router,
               notifications_router, quality_router, service_router, feedback_router,
               marketing_router, forecasting_router, analytics_router, dedup_router):
    api.add_router("/v1", router)
