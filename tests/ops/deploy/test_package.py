"""`make package`: one SAM template with the functions and everything they use; cfn-lint clean.

Runs the real `chalice package --merge-template` once (conftest.py, in a project copy)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from ops.deploy.artifacts import zip_sizes
from ops.deploy.bytecode import missing_bytecode
from ops.deploy.gateway_responses import sam_gateway_responses
from ops.deploy.template import keyring_reference, stack_resources
from ops.stages import Stage

STAGE = "prod"  # as conftest.py packages it


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_cfn_lint_passes_including_informational_checks(built: Path) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(  # noqa: S603 (the virtualenv's own cfn-lint)
        [str(cfn_lint), "--include-checks", "I", "--", str(built)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_functions_are_named_and_configured_like_chalice_deploy(
    template: dict[str, Any], stage: Stage
) -> None:
    functions = of_type(template, "AWS::Serverless::Function")
    names = {f["Properties"]["FunctionName"]: f["Properties"] for f in functions.values()}
    assert set(names) == set(stage.function_names().values())
    for handler, name in stage.function_names().items():
        wanted = stage.config["lambda_functions"][handler]
        assert names[name]["MemorySize"] == wanted["lambda_memory_size"]
        assert names[name]["Timeout"] == wanted["lambda_timeout"]
        assert names[name]["Layers"] == [{"Ref": "ManagedLayer"}]


def test_every_resource_the_functions_name_is_in_the_template(
    template: dict[str, Any], stage: Stage
) -> None:
    settings = stage.settings()
    tables = {
        t["Properties"]["TableName"]: t for t in of_type(template, "AWS::DynamoDB::Table").values()
    }
    assert set(tables) == {
        settings.users_table,
        settings.state_table,
        settings.owner.activity_table,
    }
    assert tables[settings.state_table]["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }
    assert all(t["DeletionPolicy"] == "Retain" for t in tables.values())  # data outlives the stack
    queues = of_type(template, "AWS::SQS::Queue")
    mail = template["Resources"]["MailQueue"]["Properties"]
    assert mail["QueueName"] == settings.queue_name
    dead_letter = mail["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert dead_letter in queues
    assert dead_letter != "MailQueue"
    (secret,) = of_type(template, "AWS::SecretsManager::Secret").values()
    assert keyring_reference(settings.secret_parameter).endswith("/" + secret["Properties"]["Name"])
    (identity,) = of_type(template, "AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == {"Ref": "SenderAddress"}
    assert template["Parameters"]["SenderAddress"]["Default"] == settings.mail_sender
    for function in of_type(template, "AWS::Serverless::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["SECRET_KEY_PARAMETER"] == keyring_reference(settings.secret_parameter)
        assert variables["USERS_TABLE"] == settings.users_table
        assert variables["MAIL_QUEUE"] == settings.queue_name
        assert "MailQueue" in function["DependsOn"]


def test_the_declared_resources_reach_the_stack_unchanged(
    template: dict[str, Any], stage: Stage
) -> None:
    """Chalice's merge and ops/deploy/cfn/ fragments add to the declaration, never alter it."""
    for name, resource in stack_resources(stage).items():
        assert template["Resources"][name] == resource, name


def test_the_worker_consumes_the_templates_queue(template: dict[str, Any], stage: Stage) -> None:
    worker = template["Resources"]["MailWorker"]["Properties"]
    ((_, event),) = worker["Events"].items()
    assert event["Type"] == "SQS"
    queue_name = template["Resources"]["MailQueue"]["Properties"]["QueueName"]
    assert event["Properties"]["Queue"]["Fn::Sub"].endswith(f":{queue_name}")


def test_the_function_package_is_code_only_and_the_layer_leaves_botocore_out(built: Path) -> None:
    with zipfile.ZipFile(built.parent / "deployment.zip") as code:
        tops = {name.split("/")[0] for name in code.namelist()}
    assert tops == {"app.py", "__pycache__", "chalice", "chalicelib"}
    assert missing_bytecode(built.parent / "deployment.zip") == []  # ops/deploy/bytecode.py
    with zipfile.ZipFile(built.parent / "layer-deployment.zip") as layer:
        packages = {name.split("/")[4] for name in layer.namelist() if name.count("/") > 4}
    assert {"pynamodb", "jwt", "jinja2", "argon2", "email_validator"} <= packages
    assert "aws_lambda_powertools" in packages
    assert not {"botocore", "boto3", "urllib3", "dateutil"} & packages
    function_size, _ = zip_sizes(built.parent / "deployment.zip")
    layer_size, _ = zip_sizes(built.parent / "layer-deployment.zip")
    assert function_size < 700_000  # source and bytecode: 602 kB with the owner's controls
    assert layer_size < 5_000_000


ROOT = Path(__file__).resolve().parents[3]
FRAGMENT = ROOT / "ops" / "deploy" / "cfn" / "sqs-batch-failures.json"


def test_the_fragment_sets_function_response_types_on_the_sqs_event(
    template: dict[str, Any],
) -> None:
    event = template["Resources"]["MailWorker"]["Properties"]["Events"]["MailWorkerSqsEventSource"]
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Merged, not replaced: Chalice's own properties are still there.
    assert event["Properties"]["BatchSize"] == 10
    assert event["Properties"]["Queue"] == {
        "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:microblog-prod-mail"
    }


def test_the_bounce_handler_subscribes_to_the_stage_topic(template: dict[str, Any]) -> None:
    events = template["Resources"]["MailEvents"]["Properties"]["Events"]
    [subscription] = events.values()
    assert subscription["Type"] == "SNS"
    assert subscription["Properties"]["Topic"]["Fn::Sub"].endswith(":microblog-prod-mail-events")


def test_fragment_names_only_resources_chalice_emits(template: dict[str, Any]) -> None:
    """If a handler is renamed, the fragment would silently add a broken resource: catch it."""
    fragment = json.loads(FRAGMENT.read_text())
    for name, resource in fragment["Resources"].items():
        assert "Type" in template["Resources"][name], f"{name} is not a Chalice resource"
        for event in resource["Properties"]["Events"]:
            assert template["Resources"][name]["Properties"]["Events"][event]["Type"] == "SQS"


def test_api_gateways_own_answers_are_problem_details(template: dict[str, Any]) -> None:
    responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    page = responses["MISSING_AUTHENTICATION_TOKEN"]["ResponseTemplates"]["text/html"]
    assert responses == sam_gateway_responses(page)
    # The page's links are under the stack's PublicBaseUrl parameter.
    assert 'href="${PublicBaseUrl}/"' in page["Fn::Sub"]
    assert "Página no encontrada" in page["Fn::Sub"]
    unknown_path = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert unknown_path["StatusCode"] == 404
    body = json.loads(unknown_path["ResponseTemplates"]["application/json"])
    assert body == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is nothing at this address.",
        "error": "not_found",
    }


def test_preflights_reach_the_function_as_every_route_does(template: dict[str, Any]) -> None:
    """CORS preflights (web/cors.py) are the app's to answer, not a mock integration's."""
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert "/api/tokens" in paths
    for path, item in paths.items():
        types = {method["x-amazon-apigateway-integration"]["type"] for method in item.values()}
        assert "options" in item, path
        assert types == {"aws_proxy"}, path
