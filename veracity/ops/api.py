from ninja import Router

from veracity.ops.backups.api import router as backups_router
from veracity.ops.jobs.api import router as jobs_router

router = Router(tags=["ops"])
router.add_router("", jobs_router)
router.add_router("", backups_router)
