"""The stack's own code: the flow-log table built from `schema`, bucket emptying, and the one
CloudFormation custom-resource responder. Ships to Lambda: standard library and boto3 only."""
