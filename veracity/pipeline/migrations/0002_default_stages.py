from django.db import migrations

STAGES = [
    ("Qualification", "资格确认", 10, 10, "open"),
    ("Needs analysis", "需求分析", 20, 25, "open"),
    ("Proposal", "方案报价", 30, 50, "open"),
    ("Negotiation", "商务谈判", 40, 75, "open"),
    ("Won", "赢单", 90, 100, "won"),
    ("Lost", "丢单", 100, 0, "lost"),
]


def seed(apps, schema_editor):
    PipelineStage = apps.get_model("pipeline", "PipelineStage")
    if PipelineStage.objects.exists():
        return
    PipelineStage.objects.bulk_create([
        PipelineStage(name=name, name_zh=name_zh, position=position, probability=probability, kind=kind)
        for name, name_zh, position, probability, kind in STAGES
    ])


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
