from django.db import migrations, models


def periods_in_progress_are_not_judged(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Results already saved for a period that has not ended lose their verdict until it ends."""
    from django.utils import timezone

    result_model = apps.get_model("standards", "PeriodResult")
    result_model.objects.filter(period_end__gte=timezone.localdate(), total__gt=0).update(verdict="pending")


def judge_them_as_before(apps, schema_editor):  # type: ignore[no-untyped-def]
    result_model = apps.get_model("standards", "PeriodResult")
    for result in result_model.objects.filter(verdict="pending").select_related("standard"):
        target = result.standard.target
        if target is None or not result.total or result.volume_met is None:
            result.verdict = "no_data"
        else:
            result.verdict = "met" if result.volume_met / result.total >= target - 1e-12 else "not_met"
        result.save(update_fields=["verdict"])


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0002_transaction_store"),
    ]

    operations = [
        migrations.AlterField(
            model_name="periodresult",
            name="verdict",
            field=models.CharField(
                choices=[
                    ("met", "Met"),
                    ("not_met", "Not met"),
                    ("no_data", "No data"),
                    ("pending", "In progress"),
                ],
                default="no_data",
                max_length=10,
            ),
        ),
        migrations.RunPython(periods_in_progress_are_not_judged, judge_them_as_before),
    ]
