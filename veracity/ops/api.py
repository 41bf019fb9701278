from ninja import Router

from veracity.ops.jobs.api import router as jobs_router

router = Router(tags=["ops"])
router.add_router("", jobs_router)
