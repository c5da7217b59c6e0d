"""`make package`'s stack beyond the functions: what watches it, the Parameters that set it at
deploy time, the bounds on its bill, and one least-privilege role per function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ops.deploy.monitoring import Watched
from ops.deploy.resources import stage_resources
from ops.deploy.template import role_logical_id
from ops.stages import PROJECT_DIR, Stage

STAGE = "prod"  # as conftest.py packages it


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_every_alarm_and_the_dashboard_are_in_the_stack(
    template: dict[str, Any], stage: Stage
) -> None:
    declared = stage_resources(stage.settings(), Watched.of(stage))
    for kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard"):
        wanted = {name for name, r in declared.items() if r["Type"] == kind}
        assert set(of_type(template, kind)) == wanted
    for alarm in of_type(template, "AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    (subscription,) = of_type(template, "AWS::SNS::Subscription").values()
    assert subscription["Condition"] == "HasAlarmEmail"


def test_the_stage_is_set_at_deploy_time_by_three_parameters(
    template: dict[str, Any], packaged: tuple[Path, str]
) -> None:
    assert set(template["Parameters"]) == {"PublicBaseUrl", "SenderAddress", "AlarmEmail"}
    said = packaged[1]  # `make package` warns while the stage's values are placeholders
    assert "PUBLIC_BASE_URL of stage prod is a placeholder" in said
    assert "the sender of stage prod (no-reply@example.com, the first of ADMINS)" in said


def test_the_bill_is_bounded_by_throttling_and_reserved_concurrency(
    template: dict[str, Any], stage: Stage
) -> None:
    wanted = stage.config["stages"][STAGE]["lambda_functions"]["api_handler"]
    api = template["Resources"]["APIHandler"]["Properties"]
    assert api["ReservedConcurrentExecutions"] == wanted["reserved_concurrency"] == 50
    (throttling,) = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    ops = stage.ops_settings()
    assert (throttling["ThrottlingRateLimit"], throttling["ThrottlingBurstLimit"]) == (
        ops.api_rate_limit,
        ops.api_burst_limit,
    )


def test_each_role_gets_its_functions_policy_with_stack_arns(
    template: dict[str, Any], stage: Stage
) -> None:
    roles = of_type(template, "AWS::IAM::Role")
    assert len(roles) == len(stage.function_names())
    for handler in stage.function_names():
        file_policy = json.loads(
            (PROJECT_DIR / ".chalice" / f"policy-{STAGE}-{handler}.json").read_text()
        )
        file_actions = {a for s in file_policy["Statement"] for a in s["Action"]}
        (policy,) = roles[role_logical_id(handler)]["Properties"]["Policies"]
        statements = policy["PolicyDocument"]["Statement"]
        actions = {a for s in statements for a in s["Action"]}
        # The same actions as `chalice deploy`, plus reading the secret behind the reference.
        keys = {"secretsmanager:GetSecretValue"} if "ssm:GetParameter" in file_actions else set()
        assert actions == file_actions | keys, handler
        for statement in statements:
            if statement["Action"] == ["ses:GetSendQuota"]:  # names no resource: "*" only
                assert statement["Resource"] == ["*"]
                continue
            for resource in statement["Resource"]:
                assert set(resource) == {"Fn::Sub"}
                assert ":${AWS::Region}:${AWS::AccountId}:" in resource["Fn::Sub"]
    api = roles[role_logical_id("api_handler")]["Properties"]["Policies"][0]["PolicyDocument"]
    assert not [a for s in api["Statement"] for a in s["Action"] if a.startswith("ses:")]
