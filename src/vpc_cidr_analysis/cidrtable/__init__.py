"""The CIDR Lambda's code: CIDR blocks expanded into the `cidr,ip` objects behind `cidrtable`.

Ships to Lambda: standard library and boto3 only.
"""
