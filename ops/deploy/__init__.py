"""Deploying a stage: `make provision`, `deploy`, `package`, `destroy`, `policies`.

resources (every AWS resource, declared once), provision and teardown (that declaration
through boto3), deploy (provision + `chalice deploy` + postdeploy and gateway_responses),
package and template (the CloudFormation path, with fragments in cfn/), artifacts (the
Chalice CLI and the Lambda zips), bytecode (our modules' .pyc in the function zip), policy
(least-privilege IAM).
"""
