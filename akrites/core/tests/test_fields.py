from django.db import connection

from akrites.cases.models import Case
from akrites.intake.models import Report

MARKER = "MARKER-9f1c2e-plaintext"


def test_no_plaintext_of_encrypted_fields_in_raw_sql(case, reporter):
    case.title = f"{MARKER} title"
    case.summary = f"{MARKER} summary"
    case.save()
    report = Report.objects.get(case=case)
    report.body = f"{MARKER} body"
    report.save()
    for table, columns in [
        ("cases_case", ["title", "summary"]),
        ("intake_report", ["title", "body"]),
    ]:
        with connection.cursor() as cur:
            cur.execute(f"SELECT {', '.join(columns)} FROM {table}")
            for row in cur.fetchall():
                for value in row:
                    raw = bytes(value)
                    assert MARKER.encode() not in raw
                    assert raw[0] == 1  # format version byte of akrites.core.crypto
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.title == f"{MARKER} title"
    assert Report.objects.get(pk=report.pk).body == f"{MARKER} body"


def test_dumpdata_style_serialisation_hides_plaintext(case):
    field = Case._meta.get_field("title")
    assert field.value_to_string(case) == "<encrypted>"
