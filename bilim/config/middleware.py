"""Under /api/ every answer is JSON — also the 404 of an unknown path and the 405 of a wrong method,
which Django and django-ninja would otherwise answer in HTML or plain text."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

MESSAGES = {
    404: ("not_found", lambda: _("Not found.")),
    405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in MESSAGES
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = MESSAGES[response.status_code]
            replacement = HttpResponse(
                json.dumps({"code": code, "message": message()}, ensure_ascii=False),
                status=response.status_code,
                content_type="application/json; charset=utf-8",
            )
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
