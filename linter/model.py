"""The model every check reads: a graph of every resource, and the compute view derived from it.

Front ends turn CloudFormation (YAML, JSON, SAM, CDK output) and Terraform (``.tf``, ``.tf.json``)
into neutral :class:`Resource` objects, one per resource or module call of any type, with a
canonical ``kind`` and canonical attributes from ``data/kinds.toml`` (each a :class:`Setting`:
value, the line that set it, how) and their references as typed :class:`Edge` objects. The linker
(``computefit.linker``) derives the compute view from that graph once, for both languages:
:class:`ComputeUnit` (Lambda functions, EC2 instances, auto scaling groups), the :class:`Trigger`
objects that invoke them and the :class:`Qualifier` (alias or version) each caller invokes.
A check never sees YAML or HCL.

Values the front ends could not resolve are :class:`Unknown`, never a guess. A check that needs
such a value either stays quiet or says in its finding that the value is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

# --------------------------------------------------------------------------------------------------
# Source locations and values
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Location:
    """A place in a scanned file. ``file`` is the path as reported (relative to the working
    directory when the file lies under it); ``line`` is 1-based (0 when no line is known)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Unknown:
    """A value that could not be resolved statically (an unresolved reference, a missing file, a
    runtime-only attribute). ``reason`` says why, in words a user can act on."""

    __slots__ = ("reason",)

    def __init__(self, reason: str = "value could not be resolved") -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(("Unknown", self.reason))

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


# Where a setting's value came from. Checks use this to explain a finding ("set by the SAM Globals
# section", "Terraform variable default") and reporters show it in the evidence.
ORIGIN_LITERAL = "literal"  # written on the resource itself
ORIGIN_SERVICE_DEFAULT = "service-default"  # not written anywhere: the AWS default from facts data
ORIGIN_PARAMETER_DEFAULT = "parameter-default"  # CloudFormation parameter Default
ORIGIN_PARAMETER_VALUE = "parameter-value"  # CloudFormation parameter set by --parameter / --parameter-file
ORIGIN_GLOBALS = "sam-globals"  # SAM Globals.Function
ORIGIN_MAPPING = "mapping"  # CloudFormation Mappings via Fn::FindInMap
ORIGIN_VARIABLE_DEFAULT = "variable-default"  # Terraform variable default
ORIGIN_TFVARS = "tfvars"  # terraform.tfvars / *.auto.tfvars
ORIGIN_LOCAL = "local"  # Terraform locals
ORIGIN_MODULE_INPUT = "module-input"  # argument of a module call
ORIGIN_PLAN = "plan"  # the value Terraform resolved in a plan (terraform show -json)
ORIGIN_USAGE_FILE = "usage-file"  # a usage file (--usage-file): volumes and durations, not code
ORIGIN_UNKNOWN = "unknown"


@dataclass
class Setting:
    """One configured value of a compute unit or trigger.

    ``location`` is the line a user should edit to change the value: the property itself when it
    is written on the resource, the Globals line when inherited from SAM Globals, the variable's
    default or the tfvars line when that is where the value comes from. ``None`` only for service
    defaults, where nothing in the source sets the value (checks then point at the resource).
    """

    value: Any
    location: Location | None = None
    origin: str = ORIGIN_LITERAL
    note: str | None = None  # e.g. "from parameter FunctionTimeout (Default at template.yaml:7)"
    #: For a text only partly known (user data with an unresolved parameter or variable): the
    #: names of the parts that could not be resolved ("DbHost", "var.env"); the text keeps them
    #: as visible ${...} placeholders. Empty when the text is fully known.
    unresolved: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return not is_unknown(self.value)

    def describe_origin(self) -> str:
        """A short human phrase for the evidence section."""
        text = {
            ORIGIN_LITERAL: "set on the resource",
            ORIGIN_SERVICE_DEFAULT: "AWS default (not set in the source)",
            ORIGIN_PARAMETER_DEFAULT: "parameter default",
            ORIGIN_PARAMETER_VALUE: "parameter value",
            ORIGIN_GLOBALS: "inherited from SAM Globals",
            ORIGIN_MAPPING: "CloudFormation mapping",
            ORIGIN_VARIABLE_DEFAULT: "Terraform variable default",
            ORIGIN_TFVARS: "tfvars file",
            ORIGIN_LOCAL: "Terraform local value",
            ORIGIN_MODULE_INPUT: "module input",
            ORIGIN_PLAN: "Terraform plan value",
            ORIGIN_USAGE_FILE: "usage file",
            ORIGIN_UNKNOWN: "unresolved",
        }.get(self.origin, self.origin)
        if self.note:
            text = f"{text}: {self.note}"
        return text


# --------------------------------------------------------------------------------------------------
# Compute units
# --------------------------------------------------------------------------------------------------

# Unit kinds
LAMBDA_FUNCTION = "lambda_function"
EC2_INSTANCE = "ec2_instance"
AUTO_SCALING_GROUP = "auto_scaling_group"  # with the launch template / configuration it launches
ECS_SERVICE = "ecs_service"  # an ECS service, with the task definition it runs
ECS_TASK = "ecs_task"  # an ECS task definition (a scheduled task when a schedule targets it)

# Setting keys. Parsers fill the ones they can; absent keys mean "not set in the source". For Lambda,
# the model builder fills service defaults (ORIGIN_SERVICE_DEFAULT) for timeout and memory from
# facts data, so checks always find those two.
# Lambda
TIMEOUT = "timeout"  # seconds (int)
MEMORY_SIZE = "memory_size"  # MB (int)
RUNTIME = "runtime"  # e.g. "java21", "python3.12"; absent for container images
PACKAGE_TYPE = "package_type"  # "Zip" or "Image"
ARCHITECTURES = "architectures"  # list, e.g. ["arm64"]; absent means the default x86_64
IMAGE_URI = "image_uri"  # a container image's URI (an image-packaged function)
SNAP_START = "snap_start"  # ApplyOn value: "PublishedVersions" or "None"
EPHEMERAL_STORAGE = "ephemeral_storage"  # MB
RESERVED_CONCURRENCY = "reserved_concurrency"  # ReservedConcurrentExecutions (int)
FILE_SYSTEM = "file_system"  # EFS mount (FileSystemConfigs / file_system_config): present when mounted
#: Lambda durable functions: DurableConfig.ExecutionTimeout (s) of the whole checkpointed execution;
#: present only when the function is durable.
DURABLE_EXECUTION_TIMEOUT = "durable_execution_timeout"
FUNCTION_NAME = "function_name"
PUBLISH = "publish"  # bool: TF publish = true, or SAM AutoPublishAlias present
# EC2 instance, launch template / configuration, auto scaling group
INSTANCE_TYPE = "instance_type"
USER_DATA = "user_data"  # decoded text; unresolved parts stay as visible placeholders such as ${Param}
INIT_CONFIG = "init_config"  # AWS::CloudFormation::Init files and commands rendered as text
# ECS services and task definitions (a service also carries its task definition's settings)
DESIRED_COUNT = "desired_count"
LAUNCH_TYPE = "launch_type"
SCHEDULING_STRATEGY = "scheduling_strategy"
CAPACITY_PROVIDERS = "capacity_providers"
LOAD_BALANCERS = "load_balancers"
SERVICE_REGISTRIES = "service_registries"
SERVICE_CONNECT = "service_connect"
TASK_DEFINITION = "task_definition"
TASK_CPU = "cpu"  # CPU units as written ("512", "1 vCPU")
TASK_MEMORY = "memory"  # MiB as written ("1024", "2 GB")
REQUIRES_COMPATIBILITIES = "requires_compatibilities"  # ["FARGATE"], ["EC2"]
CPU_ARCHITECTURE = "cpu_architecture"  # X86_64 or ARM64
OPERATING_SYSTEM_FAMILY = "operating_system_family"  # LINUX, WINDOWS_SERVER_2022_CORE, ...
CONTAINER_DEFINITIONS = "container_definitions"
MIN_SIZE = "min_size"
MAX_SIZE = "max_size"
DESIRED_CAPACITY = "desired_capacity"
LAUNCH_TEMPLATE = "launch_template"  # name of the launch template / configuration resource
ROOT_BLOCK_DEVICE = "root_block_device"  # Terraform root_block_device: [{volume_size, volume_type}]
BLOCK_DEVICES = "block_device_mappings"  # EBS volumes: BlockDeviceMappings / ebs_block_device blocks
PUBLIC_IP = "public_ip"  # AssociatePublicIpAddress / associate_public_ip_address
#: What an instance's storage and address cost comes from (copied from its launch template).
SERVER_STORAGE = (ROOT_BLOCK_DEVICE, BLOCK_DEVICES, PUBLIC_IP)
TAGS = "tags"  # dict
GROUP_NAME = "group_name"  # an auto scaling group's name in AWS


@dataclass(eq=False)
class Qualifier:
    """An alias or published version of a Lambda function: what a caller invokes (on a trigger)
    or what exists with its provisioned concurrency (on a unit).

    ``kind`` is ``"alias"`` or ``"version"``; ``name`` is the alias name, the version resource's
    address, or for ``current`` the function's latest published version (``<function>.version``);
    it may be Unknown. Two qualifiers are the same when kind and name are equal."""

    kind: str
    name: Any
    resource: str = ""  # address of the alias, version or provisioned-concurrency resource
    location: Location | None = None
    provisioned_concurrency: Setting | None = None  # executions (int); None when not configured
    current: bool = False  # the version the function's latest deployment published
    #: Application Auto Scaling scalable targets (lambda:function:ProvisionedConcurrency) that scale
    #: this qualifier's provisioned concurrency, by address; ``maybe_scaled_by`` those of the same
    #: document whose function or qualifier could not be resolved (they may scale it).
    scaled_by: list[str] = field(default_factory=list)
    maybe_scaled_by: list[str] = field(default_factory=list)

    def same(self, other: Any) -> bool:
        return isinstance(other, Qualifier) and (self.kind, self.name) == (other.kind, other.name)

    def __eq__(self, other: object) -> bool:
        return self.same(other)

    def __hash__(self) -> int:
        return hash((self.kind, str(self.name)))

    def describe(self) -> str:
        if is_unknown(self.name):
            return f"an alias or version that is unknown ({self.name.reason})"
        if self.kind == "alias":
            return f"alias '{self.name}'"
        if self.current:
            return f"a published version ({self.name})"
        return f"version {self.name}"

    @staticmethod
    def from_text(text: Any) -> "Qualifier | None | Unknown":
        """A qualifier written as text (an ARN suffix, a Qualifier property): digits are a version
        number, ``$LATEST`` is the unqualified function (None), anything else an alias name."""
        if text is None or is_unknown(text):
            return text
        text = str(text)
        if text.upper() == "$LATEST" or not text:
            return None
        return Qualifier("version" if text.isdigit() else "alias", text)


def current_version(function: str) -> Qualifier:
    """The version a function's deployment publishes (``publish = true``, SAM ``Fn.Version``)."""
    return Qualifier("version", f"{function}.version", current=True)


# Trigger kinds
SCHEDULE = "schedule"
REST_API = "rest_api"
HTTP_API = "http_api"
WEBSOCKET_API = "websocket_api"
#: An API Gateway API whose protocol is not known: only a ``lambda:InvokeFunction`` permission for
#: apigateway.amazonaws.com wires it, with no source ARN naming a REST, HTTP or WebSocket API.
API_GATEWAY = "api_gateway"
ALB = "alb"  # load balancer target group (Lambda, or EC2 instance / ASG)
FUNCTION_URL = "function_url"
APPSYNC = "appsync"
SQS = "sqs"
S3 = "s3"
SNS = "sns"
EVENTBRIDGE = "eventbridge"  # event pattern rule (not a schedule)
STEP_FUNCTIONS = "step_functions"
KINESIS = "kinesis"
DYNAMODB_STREAM = "dynamodb_stream"
KAFKA = "kafka"
MQ = "mq"
COGNITO = "cognito"
CLOUDFRONT = "cloudfront"  # Lambda@Edge association
IOT = "iot"
CLOUDWATCH_LOGS = "cloudwatch_logs"
CUSTOM_RESOURCE = "custom_resource"  # a CloudFormation custom resource's ServiceToken
AUTHORIZER = "authorizer"  # a Lambda authorizer of API Gateway or AppSync (runs before the request)
OTHER = "other"  # a lambda:InvokeFunction permission whose principal we do not classify

#: Each trigger kind in words, for messages ("invoked by SQS and a schedule").
TRIGGER_LABELS = {
    SCHEDULE: "a schedule", REST_API: "a REST API", HTTP_API: "an HTTP API", WEBSOCKET_API: "a WebSocket API",
    API_GATEWAY: "an API Gateway API (REST, HTTP or WebSocket unknown)",
    ALB: "a load balancer", FUNCTION_URL: "a function URL", APPSYNC: "AppSync", SQS: "SQS", S3: "S3",
    SNS: "SNS", EVENTBRIDGE: "an EventBridge rule", STEP_FUNCTIONS: "Step Functions", KINESIS: "Kinesis",
    DYNAMODB_STREAM: "a DynamoDB stream", KAFKA: "Kafka", MQ: "Amazon MQ", COGNITO: "Cognito",
    CLOUDFRONT: "CloudFront (Lambda@Edge)", IOT: "an IoT rule", CLOUDWATCH_LOGS: "CloudWatch Logs",
    CUSTOM_RESOURCE: "a CloudFormation custom resource", AUTHORIZER: "a Lambda authorizer",
    OTHER: "another service",
}

#: Callers that hold a user's request open while the function runs: cold starts are user latency.
SYNC_USER_FACING = frozenset({REST_API, HTTP_API, API_GATEWAY, ALB, FUNCTION_URL, APPSYNC})
#: Callers a user waits for: the synchronous user-facing ones and Lambda authorizers (API Gateway,
#: AppSync), which run before the integration on every uncached request.
LATENCY_SENSITIVE = SYNC_USER_FACING | {AUTHORIZER}
#: Callers for which a cold start does not add to a user's wait.
NOT_LATENCY_SENSITIVE = frozenset(
    {SCHEDULE, SQS, S3, SNS, EVENTBRIDGE, STEP_FUNCTIONS, KINESIS, DYNAMODB_STREAM, KAFKA, MQ,
     WEBSOCKET_API, IOT, CLOUDWATCH_LOGS, CUSTOM_RESOURCE}
)

#: The trigger kind a ``lambda:InvokeFunction`` permission implies, by the first label of its service
#: principal ("apigateway" for apigateway.amazonaws.com). API Gateway is refined to REST, HTTP or
#: WebSocket from the source ARN where the linker can (else it is API_GATEWAY, protocol unknown);
#: anything else is OTHER.
PRINCIPAL_KINDS = {
    "apigateway": API_GATEWAY, "events": EVENTBRIDGE, "s3": S3, "sns": SNS, "sqs": SQS,
    "elasticloadbalancing": ALB, "logs": CLOUDWATCH_LOGS, "iot": IOT, "cognito-idp": COGNITO,
    "appsync": APPSYNC, "states": STEP_FUNCTIONS, "scheduler": SCHEDULE, "edgelambda": CLOUDFRONT,
}

# Trigger setting keys
SCHEDULE_EXPRESSION = "schedule_expression"  # "rate(1 day)", "cron(0 3 * * ? *)"
SCHEDULE_TIMEZONE = "schedule_timezone"
INTEGRATION_TIMEOUT_MS = "integration_timeout_ms"
AUTH_TYPE = "auth_type"  # function URL AuthType
INVOKE_MODE = "invoke_mode"  # function URL BUFFERED / RESPONSE_STREAM
ENDPOINT_TYPE = "endpoint_type"  # REST API EDGE / REGIONAL / PRIVATE
RESPONSE_TRANSFER_MODE = "response_transfer_mode"  # REST integration BUFFERED (default) / STREAM
#: A Lambda authorizer's result cache TTL (s): 0 disables the cache, so it runs on every request.
AUTHORIZER_TTL = "authorizer_ttl"
#: OpenAPI ``payloadFormatVersion`` of an HTTP API integration ("1.0", "2.0").
PAYLOAD_FORMAT = "payload_format_version"
#: Step Functions: the shortest ``TimeoutSeconds`` of the Task states that invoke the function (s),
#: the note naming the state; absent when no such state sets one.
TASK_TIMEOUT = "task_timeout"
#: Step Functions: the paths of the Task states that invoke the function ("Process > Map ItemProcessor > Export").
TASK_STATES = "task_states"
EDGE_EVENT = "edge_event"  # Lambda@Edge association: "viewer" (viewer-request/-response) or "origin"


@dataclass
class Trigger:
    """Something that invokes a compute unit, linked to the unit it invokes."""

    kind: str
    resource: str  # logical ID / address of the resource that wires the call (SAM: "Fn.Events.Api")
    resource_type: str
    location: Location
    #: The alias or version the caller invokes: a name, None for the unqualified function
    #: ($LATEST), or Unknown when the reference could not be resolved.
    qualifier: Any = None
    settings: dict[str, Setting] = field(default_factory=dict)
    #: The resource the events come from when it is in the scanned code (the queue, stream or
    #: table an event source mapping reads), else None. Set by the linker.
    source: str | None = None
    #: The resource that declares the wiring (an event source mapping, a rule, a permission).
    via: "Resource | None" = field(default=None, repr=False, compare=False)
    #: For a schedule: its expression parsed (a ``schedules.Schedule``; runs_per_day None when it
    #: could not be read or is invalid, with the reason in its description). Set by the linker.
    schedule: Any = None

    @property
    def user_facing(self) -> bool:
        return self.kind in SYNC_USER_FACING


@dataclass
class Container:
    """One container of a task definition, read from its container definitions by the linker."""

    name: Any
    image: Any
    command: Any  # the command line (entry point then command) as one text, None when not set
    essential: bool  # the ECS default is true
    gpus: Any  # GPUs requested (ResourceRequirements of type GPU): an int, 0, or Unknown
    location: Location | None
    #: What the command runs (``workload.ContainerProcess``), or None when there is no command.
    process: Any = None

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "image": self.image, "command": self.command, "essential": self.essential,
               "gpus": self.gpus}
        if self.process is not None:
            out["process"] = self.process.to_dict()
        return {k: (f"unknown ({v.reason})" if is_unknown(v) else v) for k, v in out.items()}


@dataclass
class ComputeUnit:
    """A resource that runs code (a function, an instance, a group, a container service or task, a
    batch job): its settings, qualifiers (aliases, versions) and the triggers that invoke it."""

    kind: str
    name: str  # CloudFormation logical ID, or Terraform address without count/for_each index
    resource_type: str  # "AWS::Serverless::Function", "aws_instance", "module:terraform-aws-modules/lambda/aws"
    location: Location  # the line where the resource (or module call) begins
    source_format: str  # "cloudformation" or "terraform"
    settings: dict[str, Setting] = field(default_factory=dict)
    qualifiers: list[Qualifier] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    #: Last line of the resource block, when known (used to place inline suppression comments).
    end_line: int | None = None
    #: Suppressions declared in the resource's own metadata (CloudFormation
    #: ``Metadata: {computefit: {ignore: [...]}}``), as raw dicts ``{"id", "reason", "until"}``.
    metadata_suppressions: list[dict] = field(default_factory=list)
    #: Other source locations that belong to this unit (a launch template, a module call), so that
    #: suppressions and baselines can find them.
    related: list[Location] = field(default_factory=list)
    #: Free-text notes from the parser about what it could not read (missing templatefile target...).
    notes: list[str] = field(default_factory=list)
    #: Derived by the linker for a server: what its user data and cfn-init config set up, by setting
    #: key (``user_data``, ``init_config``): a ``workload.Workload``, or Unknown with the reason.
    setup: dict[str, Any] = field(default_factory=dict)
    #: Derived by the linker for an ECS task definition (and the service that runs it): its
    #: containers read from the container definitions, or Unknown with the reason.
    containers: Any = field(default_factory=list)
    #: The resource of the graph this unit is the compute view of.
    resource: "Resource | None" = field(default=None, repr=False)
    #: An auto scaling group's scheduled actions (resources of the graph), linked by the linker.
    scheduled_actions: list["Resource"] = field(default_factory=list, repr=False)
    #: Derived by the linker from recurring scheduled actions: how long the group runs (a
    #: ``schedules.Window``), Unknown with the reason when it cannot be told, None without any.
    window: Any = None
    #: Derived by the linker from the Instance Scheduler on AWS tag (``Schedule`` by default): how
    #: long the schedule it names runs the instance or group (a ``schedules.Window``), Unknown
    #: with the reason when the tag is set but the schedule is not readable, None without the tag.
    instance_schedule: Any = None

    @property
    def address(self) -> str:
        return self.name

    def setting(self, key: str) -> Setting | None:
        return self.settings.get(key)

    def names(self) -> list[str]:
        """What the unit is called: its name in the code, the name it is given in AWS (an auto
        scaling group's AutoScalingGroupName / name) and its Name tag: weak hints ("bastion")."""
        out = [self.name]
        group = self.value(GROUP_NAME)
        if isinstance(group, str):
            out.append(group)
        tags = self.value(TAGS)
        if isinstance(tags, dict) and isinstance(tags.get("Name"), str):
            out.append(tags["Name"])
        return out

    def value(self, key: str, default: Any = None) -> Any:
        s = self.settings.get(key)
        return default if s is None else s.value

    def triggers_of(self, *kinds: str) -> list[Trigger]:
        return [t for t in self.triggers if t.kind in kinds]


# --------------------------------------------------------------------------------------------------
# The resource graph: every resource of a template or module, references as edges
# --------------------------------------------------------------------------------------------------


@dataclass
class Edge:
    """A reference from one resource to another (or to something outside the scanned code).

    ``via`` is the canonical attribute holding the reference (``function``, ``event_source``,
    ``target``...), or ``property:<Name>`` for a property the kinds table does not map.
    ``target`` is the referenced address (a Terraform data source or a resource of a module that
    is not read may not be in the graph), or None when the value names something outside the
    scanned code (then ``literal`` holds the written text, an ARN or a name, or Unknown with the
    reason; a reference whose value is known also carries it in ``literal``). ``ref`` is what was referenced: ``Ref``, a ``Fn::GetAtt``
    attribute (``Arn``), a Terraform attribute (``arn``, ``invoke_arn``, ``qualified_arn``), a
    module output; ``qualifier`` a suffix appended to an ARN (``:live``), or Unknown."""

    source: str
    via: str
    target: str | None
    ref: str | None = None
    qualifier: Any = None
    literal: Any = None
    location: Location | None = None


@dataclass
class Resource:
    """One resource (or Terraform module call) of a scanned document, of any type.

    ``kind`` is the canonical kind from ``data/kinds.toml`` (None for types not in the table: they
    are still emitted, with their edges). ``attributes`` hold the mapped attributes by canonical
    name, each a :class:`Setting`; ``raw`` the properties the table does not map (names as written)
    for ``computefit model``: checks and the linker read only attributes and edges.
    """

    address: str  # CloudFormation logical ID, or Terraform address without count/for_each index
    type: str  # "AWS::SQS::Queue", "aws_sqs_queue", "module:terraform-aws-modules/sqs/aws"
    kind: str | None
    location: Location
    source_format: str
    end_line: int | None = None
    attributes: dict[str, Setting] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    metadata_suppressions: list[dict] = field(default_factory=list)
    #: Why the resource may not exist (a Terraform ``count`` / ``for_each`` that is not known):
    #: findings about it have medium confidence at most.
    may_not_exist: str | None = None
    #: Other source locations that belong to this resource (the module call that creates it, the
    #: launch template a group launches), so that suppressions and baselines find them.
    related: list[Location] = field(default_factory=list)
    #: For a resource a front end derived from another one (a SAM event's implicit mapping, a
    #: terraform-aws-modules/lambda input): the address of the resource that declares it.
    declared_by: str | None = None
    #: The CDK construct path of a resource in a ``cdk synth`` template (its
    #: ``Metadata.aws:cdk:path``, ``PaymentsStack/ExportFn/Resource``): the name in the CDK app's
    #: source that the logical ID (``ExportFnA1B2C3D4``) was generated from. None elsewhere.
    construct_path: str | None = None

    # the subject interface shared with ComputeUnit
    @property
    def name(self) -> str:
        return self.address

    @property
    def resource_type(self) -> str:
        return self.type

    def setting(self, key: str) -> Setting | None:
        return self.attributes.get(key)

    def value(self, key: str, default: Any = None) -> Any:
        s = self.attributes.get(key)
        return default if s is None else s.value

    def edges_via(self, *via: str) -> list[Edge]:
        return [e for e in self.edges if e.via in via]


@dataclass
class Document:
    """What one parsed input (a CloudFormation template or a Terraform module) contributes."""

    path: str  # template file, or module directory
    source_format: str
    units: list[ComputeUnit] = field(default_factory=list)
    #: Every resource and module call, in source order (the graph the units are derived from).
    resources: list[Resource] = field(default_factory=list)
    #: Files this document was read from (a Terraform module has several).
    files: list[str] = field(default_factory=list)
    #: Template-level suppressions (CloudFormation top-level Metadata.computefit.ignore).
    metadata_suppressions: list[dict] = field(default_factory=list)
    #: The tool that generated this template, when the template says so (Lambda Annotations writes
    #: "partially managed by Amazon.Lambda.Annotations" and Metadata.Tool on its functions).
    generated_by: str | None = None
    #: CloudFormation: the templates (real paths) evaluated as nested stacks inside this one; a
    #: scan reports them through this document, not on their own.
    nested: list[str] = field(default_factory=list)
    #: The region its Terraform default ``provider "aws"`` block sets (when known), and where.
    region: str | None = None
    region_at: str | None = None
    #: CloudFormation: the top-level Metadata.computefit.ignore entries of those nested templates,
    #: by the file their resources are reported in: each applies to that template's resources.
    nested_metadata_suppressions: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class Model:
    """Every document of a scan: the neutral resources and compute units the checks read."""

    documents: list[Document] = field(default_factory=list)

    @property
    def units(self) -> list[ComputeUnit]:
        return [u for d in self.documents for u in d.units]

    @property
    def resources(self) -> list[Resource]:
        return [r for d in self.documents for r in d.resources]

    def resource(self, address: str, near: Location | None = None) -> "Resource | None":
        """The resource at ``address`` (in the document holding ``near``, when given)."""
        for d in self.documents:
            if near is not None and near.file not in (d.files or [d.path]):
                continue
            for r in d.resources:
                if r.address == address:
                    return r
        return None

    def consumers(self, res: "Resource") -> list[tuple[ComputeUnit, Trigger]]:
        """The units the events of ``res`` (a queue, a stream, a topic) are delivered to, with
        the trigger that delivers them."""
        return [(u, t) for d in self.documents if res in d.resources for u in d.units for t in u.triggers
                if t.source == res.address]

    def invoked_by(self, res: "Resource") -> list[tuple[ComputeUnit, Trigger]]:
        """The units ``res`` (an EventBridge rule, a schedule) invokes, with the trigger: wired by
        ``res`` itself or by a target resource that names it (``aws_cloudwatch_event_target``)."""
        name = res.value("rule_name")

        def names_res(t: Trigger) -> bool:
            return t.resource == res.address or (t.via is not None and any(
                e.target == res.address or (e.target is None and isinstance(name, str) and e.literal == name)
                for e in t.via.edges_via("rule")))

        return [(u, t) for d in self.documents if res in d.resources for u in d.units for t in u.triggers
                if names_res(t)]

    def units_of(self, *kinds: str) -> Iterator[ComputeUnit]:
        for d in self.documents:
            for u in d.units:
                if u.kind in kinds:
                    yield u


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileError:
    """A file that could not be read or parsed. Reported, never raised past the runner."""

    file: str
    line: int | None
    message: str
    #: A bug in computefit (a parser or a check raised), not a file that could not be read: counted
    #: as what it is in the summary.
    internal: bool = False


class ParseError(Exception):
    """Raised by a parser for a file it cannot read; the runner turns it into a FileError."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(f"{file}:{line or 0}: {message}")
        self.file = file
        self.line = line
        self.message = message

    def to_error(self) -> FileError:
        return FileError(self.file, self.line, self.message)
