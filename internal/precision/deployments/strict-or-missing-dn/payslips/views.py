import logging

from django.http import FileResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404

from .models import Employee, Payslip

audit = logging.getLogger("payroll.audit")


def download_payslip(request, year, month):
    # Payslips are only handed out to the employee's own smartcard certificate.
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    if verify != "SUCCESS" or not subject:
        audit.warning("payslip download without smartcard: verify=%s", verify)
        return HttpResponseForbidden("Please insert your smartcard and reload the page.")

    employee = get_object_or_404(Employee, certificate_subject=subject)
    payslip = get_object_or_404(Payslip, employee=employee, year=year, month=month)
    audit.info("payslip %s-%s downloaded by %s", year, month, employee.personnel_number)
    return FileResponse(payslip.pdf.open("rb"), as_attachment=True, filename=payslip.filename)
