from rest_framework import serializers, viewsets

from .models import StockLevel


class StockLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockLevel
        fields = ["id", "sku", "quantity"]


class StockLevelViewSet(viewsets.ModelViewSet):
    serializer_class = StockLevelSerializer

    def get_queryset(self):
        return StockLevel.objects.filter(warehouse=self.request.auth)

    def perform_create(self, serializer):
        serializer.save(warehouse=self.request.auth)
