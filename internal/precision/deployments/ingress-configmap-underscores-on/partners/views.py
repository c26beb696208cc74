from rest_framework import serializers, viewsets

from .models import Entry


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entry
        fields = ["id", "booked_at", "amount_cents", "currency", "reference"]


class EntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EntrySerializer

    def get_queryset(self):
        return Entry.objects.filter(partner=self.request.user).order_by("-booked_at")
