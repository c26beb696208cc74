from rest_framework.response import Response
from rest_framework.views import APIView


class AccountView(APIView):
    def get(self, request, pk):
        user = request.user
        return Response({"id": user.pk, "username": user.username, "email": user.email})
