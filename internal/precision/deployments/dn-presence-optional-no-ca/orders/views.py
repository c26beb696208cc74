from rest_framework import serializers
from rest_framework.generics import ListCreateAPIView

from .models import PurchaseOrder


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = PurchaseOrder
        fields = ["id", "reference", "total_cents", "status"]


class OrderList(ListCreateAPIView):
    serializer_class = OrderSerializer
    authentication_classes = []
    permission_classes = []

    def get_queryset(self):
        return PurchaseOrder.objects.filter(partner=self.request.partner)

    def perform_create(self, serializer):
        serializer.save(partner=self.request.partner)
