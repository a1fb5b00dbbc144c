"""An AWS error response in the protocol of the request it answers (wire.ParsedRequest), as
botocore's parsers read them (botocore/parsers.py): JSON `{"__type", "message"}`; query
`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`; S3's
`<Error><Code/><Message/><RequestId/><HostId/></Error>`; other REST-XML services (CloudFront,
Route 53) the query form with the service's namespace.
"""
import json
import uuid
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response


def error(parsed, code, message, status):
    """The Response for one error of the service the request spoke to."""
    request_id = str(uuid.uuid4())
    if parsed.protocol == "json":
        version = parsed.service_model.metadata.get("jsonVersion", "1.1")
        return Response(json.dumps({"__type": code, "message": message}), status=status,
                        content_type=f"application/x-amz-json-{version}",
                        headers={"x-amzn-RequestId": request_id, "x-amzn-ErrorType": code})
    if parsed.service == "s3":
        body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId>"
                f"<HostId>{request_id}</HostId></Error>")
        return Response(body, status=status, content_type="application/xml",
                        headers={"x-amz-request-id": request_id})
    metadata = parsed.service_model.metadata
    namespace = metadata.get("xmlNamespace") or \
        f"http://{parsed.service}.amazonaws.com/doc/{parsed.service_model.api_version}/"
    body = (f'<?xml version="1.0"?><ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>")
    return Response(body, status=status, content_type="text/xml",
                    headers={"x-amzn-RequestId": request_id})
