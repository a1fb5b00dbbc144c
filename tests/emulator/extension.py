"""What cfsign's recipes need from AWS that moto 5.2.5 lacks, added to moto before the server
starts. Test infrastructure, written against the AWS API reference; each part below is tested
in test_<part>.py.

- bucket_policy:   bucket policies evaluated as IAM does (moto denied on unmet conditions)
- cfn_resources:   CloudFormation resource types the products use, and template fixes
- cloudfront_api:  the CloudFront key-group operations moto lacks (update, delete)
- secretsmanager_api: version creation dates as written (rotation reads a key's age)
- servicecatalog:  Service Catalog past portfolios: products, artifacts, associations,
                   constraints, shares, provisioning through moto's CloudFormation, records
- edge:            a distribution's viewer endpoint at /_edge/<distribution-id>/<path>, enforcing
                   signed URLs and the bucket policy
"""
import bucket_policy  # noqa: F401  (patches moto on import)
import cfn_resources  # noqa: F401  (registers resource types)
import cloudfront_api  # noqa: F401
import secretsmanager_api  # noqa: F401
import servicecatalog  # noqa: F401
from edge import EmulatorServer  # noqa: F401
