"""What cfsign's recipes need from AWS that moto 5.2.5 lacks, added to moto before the server
starts. Test infrastructure, written against the AWS API reference; each part below is tested
in test_<part>.py.

- cfn_resources:   CloudFormation resource types the products use, and template fixes
- cfn_iam:         AWS::IAM::ManagedPolicy detached and deleted with its stack
- cfn_s3:          AWS::S3::Bucket applies its versioning, public access block and ownership
- cfn_parameters:  parameter values outside AllowedPattern / AllowedValues are refused
- cfn_stacks:      how stack operations end when a resource fails (rollbacks, DELETE_FAILED)
- cfn_handlers:    resource handlers authorized as the stack's principal with the permissions
                   their provider schemas list
- cfn_custom:      Lambda-backed custom resources, their inline Node.js code run by the local
                   node as the function's role, answering at /_cfn-response/ID
- cloudfront_account, cloudfront_resources, cloudfront_api: CloudFront as an account holds
                   it (quotas, unique names, what may not change or go while in use, key-group
                   propagation to the edge), its resource types, and the operations moto lacks
- secretsmanager_api: version creation dates as written (rotation reads a key's age)
- kms_api:         key states: a key pending deletion or disabled cannot sign
- servicecatalog:  Service Catalog past portfolios: products, artifacts, associations,
                   constraints, shares, provisioning through moto's CloudFormation, records
- edge:            a distribution's viewer endpoint at /_edge/<distribution-id>/<path>, enforcing
                   signed URLs and the bucket policy, running CloudFront Functions
                   (edge_functions), answering CORS from the bucket (s3_cors) and applying
                   response headers policies (response_headers)
- faults:          throttling and 500s injected into a fraction of calls, on request (/_faults)
- validation:      every request checked against its operation's input shape in botocore's
                   model (wire.py reads it), refused as AWS refuses it
- iam_enforce:     IAM on every request (iam_policy evaluates, iam_actions names the action and
                   resource, iam_state reads callers and resource policies from moto)
- s3_rules:        bucket naming rules, versioned buckets that cannot be deleted, the bucket
                   owner condition (x-amz-expected-bucket-owner)
- strict_cost:     the time the strict rules (validation, IAM, handler permissions) take,
                   measured on request (EMULATOR_STRICT_COST)

EmulatorServer is moto's threaded server with the request timer outermost, then the custom
resources' response URLs (/_cfn-response/), the CloudFront control endpoint (/_cloudfront),
fault injection, the edge, request validation, IAM and the S3 bucket owner condition in front,
in that order (the edge's viewer requests are no API requests: never validated or authorized as
such).
"""
import cfn_resources  # noqa: F401  (registers resource types)
import cfn_iam  # noqa: F401
import cfn_s3  # noqa: F401
import cfn_parameters  # noqa: F401  (before cfn_stacks: a failed stack is refused first)
import cfn_stacks  # noqa: F401
import cfn_handlers
import cfn_custom
import cloudfront_api  # noqa: F401
import cloudfront_resources  # noqa: F401  (registers resource types)
import kms_api  # noqa: F401
import secretsmanager_api  # noqa: F401
import servicecatalog  # noqa: F401
import s3_rules
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (DomainDispatcherApplication, MotoRequestHandler,
                                           create_backend_app)
from werkzeug.serving import make_server

from cloudfront_account import ControlApplication
from edge import EdgeApplication
from faults import FaultApplication
from iam_enforce import AuthorizationApplication
from strict_cost import RequestTimeApplication
from validation import ValidationApplication


class EmulatorServer(ThreadedMotoServer):
    """moto's threaded server with fault injection, the edge, validation, IAM (remembering each
    request's caller for the stack operations it starts) and the bucket owner condition
    mounted."""

    def _server_entry(self):
        moto = DomainDispatcherApplication(create_backend_app)
        app = RequestTimeApplication(cfn_custom.ResponseApplication(ControlApplication(
            FaultApplication(EdgeApplication(
            ValidationApplication(AuthorizationApplication(cfn_handlers.CallerApplication(
                s3_rules.BucketOwnerApplication(moto)))))))))
        self._server = make_server(self._ip_address, self._port, app, True,
                                   request_handler=MotoRequestHandler)
        cfn_custom.endpoint["url"] = f"http://{self._ip_address}:{self._server.server_port}"
        self._server_ready_event.set()
        self._server.serve_forever()
