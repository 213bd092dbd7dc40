"""The maintenance app's API: one module per part in serializers/ and views/, registered on the one
router in config/api_router.py."""
