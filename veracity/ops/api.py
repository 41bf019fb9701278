from ninja import Router

from veracity.ops.backups.api import router as backups_router

router = Router(tags=["ops"])
router.add_router("", backups_router)
