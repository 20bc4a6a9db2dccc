"""API Gateway OpenAPI definitions as the model holds them, read once for both languages.

An API's definition reaches the model in the ``api_definition`` attribute (``data/kinds.toml``:
SAM ``DefinitionBody``, ``AWS::ApiGateway::RestApi`` / ``AWS::ApiGatewayV2::Api`` ``Body``,
Terraform ``body`` from ``jsonencode()``, ``templatefile()``, ``file()`` or a heredoc) or in
``api_definition_file`` (the text of a local ``DefinitionUri`` / ``BodyS3Location`` file, read by
the front end inside the read boundary). References the front ends could not resolve stay as
``${...}`` placeholders, as in state machine definitions (:mod:`computefit.stepfunctions`, whose
parser this module shares).

:func:`integrations` lists the ``x-amazon-apigateway-integration`` objects of every path and
method; :func:`authorizers` the ``x-amazon-apigateway-authorizer`` objects of the security
schemes (OpenAPI 3 ``components.securitySchemes``, Swagger 2 ``securityDefinitions``).
:func:`lambda_target` takes the Lambda function out of an integration or authorizer URI
(``arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations``).
The linker resolves that text to a function of the scanned code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .lazyre import LazyPattern as _lazy
from .model import Setting, Unknown, is_unknown
from .stepfunctions import parse

INTEGRATION_KEY = "x-amazon-apigateway-integration"
AUTHORIZER_KEY = "x-amazon-apigateway-authorizer"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "x-amazon-apigateway-any-method")
#: The Lambda function inside an API Gateway service URI: ``.../functions/<ARN>/invocations``.
_LAMBDA_PATH = _lazy(r":lambda:path/[^/]+/functions/(.+?)/invocations\s*$", re.S)


@dataclass
class Definition:
    doc: Any  # the parsed definition (a dict), or Unknown with the reason
    setting: Setting  # where it is written (the body property, the DefinitionUri line)
    source: str  # "the OpenAPI body", "OpenAPI file api/openapi.yaml"


@dataclass
class Integration:
    where: str  # "GET /orders"
    uri: Any  # the integration URI as text (placeholders kept), or None
    type: Any  # aws_proxy, aws, http_proxy, mock...
    timeout_ms: Any  # timeoutInMillis as written, None when not set
    payload_format: Any  # payloadFormatVersion (HTTP APIs), None when not set
    transfer_mode: Any  # responseTransferMode (REST response streaming), None when not set


@dataclass
class Authorizer:
    name: str  # the security scheme's name
    uri: Any  # authorizerUri as text, or None
    type: Any  # token, request, jwt
    ttl_s: Any  # authorizerResultTtlInSeconds as written, None when not set


def definition(res: Any) -> Definition | None:
    """The parsed OpenAPI definition of an API resource; None when the source gives it none."""
    body = res.setting("api_definition")
    file = res.setting("api_definition_file")
    setting = body if body is not None else file
    if setting is None:
        return None
    source = "the OpenAPI body" if body is not None else f"OpenAPI {setting.note or 'file'}"
    value = setting.value
    if is_unknown(value):
        return Definition(value, setting, source)
    if isinstance(value, str):
        doc = parse(value)
    elif isinstance(value, dict):
        doc = value
    else:
        doc = Unknown("the OpenAPI definition is not an object")
    if isinstance(doc, dict) and not isinstance(doc.get("paths", {}), dict):
        doc = Unknown("the OpenAPI definition's paths are not an object")
    return Definition(doc, setting, source)


def _text(v: Any) -> Any:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return None


def _ci(obj: dict, key: str) -> Any:
    """A key of an extension object in any case (``timeoutInMillis``, ``TimeoutInMillis``)."""
    if key in obj:
        return obj[key]
    low = key.lower()
    return next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == low), None)


def integrations(doc: dict) -> list[Integration]:
    """Every ``x-amazon-apigateway-integration`` of the definition's paths, in document order."""
    out: list[Integration] = []
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        return out
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if not isinstance(method, str) or method.lower() not in _METHODS or not isinstance(op, dict):
                continue
            integ = op.get(INTEGRATION_KEY)
            if not isinstance(integ, dict):
                continue
            verb = "ANY" if method.lower().endswith("any-method") else method.upper()
            out.append(Integration(f"{verb} {path}", _text(_ci(integ, "uri")), _text(_ci(integ, "type")),
                                   _text(_ci(integ, "timeoutInMillis")), _text(_ci(integ, "payloadFormatVersion")),
                                   _text(_ci(integ, "responseTransferMode"))))
    return out


def authorizers(doc: dict) -> list[Authorizer]:
    """Every ``x-amazon-apigateway-authorizer`` of the definition's security schemes."""
    out: list[Authorizer] = []
    components = doc.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    for table in (schemes, doc.get("securityDefinitions")):
        if not isinstance(table, dict):
            continue
        for name, scheme in table.items():
            auth = scheme.get(AUTHORIZER_KEY) if isinstance(scheme, dict) else None
            if isinstance(auth, dict):
                out.append(Authorizer(str(name), _text(_ci(auth, "authorizerUri")), _text(_ci(auth, "type")),
                                      _text(_ci(auth, "authorizerResultTtlInSeconds"))))
    return out


def lambda_target(uri: Any) -> str | None:
    """The part of an integration or authorizer URI that names the function: the function ARN (or
    reference placeholder) of an API Gateway Lambda URI, else the URI itself (an HTTP API takes a
    function ARN, Terraform's ``invoke_arn`` is one placeholder). None when it is not text."""
    if not isinstance(uri, str):
        return None
    mt = _LAMBDA_PATH.search(uri)
    return mt.group(1) if mt else uri
