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
- faults:          throttling and 500s injected into a fraction of calls, on request (/_faults)

EmulatorServer is moto's threaded server with the edge and fault injection in front.
"""
import bucket_policy  # noqa: F401  (patches moto on import)
import cfn_resources  # noqa: F401  (registers resource types)
import cloudfront_api  # noqa: F401
import secretsmanager_api  # noqa: F401
import servicecatalog  # noqa: F401
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (DomainDispatcherApplication, MotoRequestHandler,
                                           create_backend_app)
from werkzeug.serving import make_server

from edge import EdgeApplication
from faults import FaultApplication


class EmulatorServer(ThreadedMotoServer):
    """moto's threaded server with the edge and fault injection mounted."""

    def _server_entry(self):
        app = FaultApplication(EdgeApplication(DomainDispatcherApplication(create_backend_app)))
        self._server = make_server(self._ip_address, self._port, app, True,
                                   request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
