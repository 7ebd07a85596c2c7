"""The public facts of DOMAIN.md §6, each with its citation, in every installation."""

from django.db import migrations


def add_facts(apps, schema_editor):  # type: ignore[no-untyped-def]
    from touchstone.benchmarks.library import ACSI, public_fact_rows

    Source = apps.get_model("benchmarks", "BenchmarkSource")
    Benchmark = apps.get_model("benchmarks", "Benchmark")
    for row in public_fact_rows():
        source, _ = Source.objects.get_or_create(
            agency=None,
            organisation=ACSI["organisation"],
            publication=row["publication"],
            year=row["year"],
            defaults={"url": ACSI["url"], "licence": ACSI["licence"]},
        )
        fields = {k: v for k, v in row.items() if k not in {"key", "publication"}}
        Benchmark.objects.update_or_create(agency=None, key=row["key"], defaults={**fields, "source": source})


def remove_facts(apps, schema_editor):  # type: ignore[no-untyped-def]
    from touchstone.benchmarks.library import public_fact_rows

    Benchmark = apps.get_model("benchmarks", "Benchmark")
    Source = apps.get_model("benchmarks", "BenchmarkSource")
    Benchmark.objects.filter(agency=None, key__in=[row["key"] for row in public_fact_rows()]).delete()
    Source.objects.filter(agency=None, benchmarks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("benchmarks", "0001_initial")]
    operations = [migrations.RunPython(add_facts, remove_facts)]
