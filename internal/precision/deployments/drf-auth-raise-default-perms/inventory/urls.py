from rest_framework.routers import DefaultRouter

from .views import StockLevelViewSet

router = DefaultRouter()
router.register("stock", StockLevelViewSet, basename="stock")

urlpatterns = router.urls
