from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from computefit import facts
from computefit import model as m
from computefit.check import ERROR, HIGH, MEDIUM, Check, CheckContext, Finding, Violation, setting_evidence
from computefit.linker import containers as read_containers

#: Batch job definitions are resources of the graph (not compute units): their container
#: properties are read with the linker's container reader.
BATCH_JOB_DEFINITION = "batch_job_definition"


@dataclass
class GpuOnFargate(Violation):
    platform: m.Setting  # requires compatibilities / platform capabilities naming FARGATE
    definitions: m.Setting  # the container definitions (or container properties)
    gpu_containers: list[tuple[Any, Any]]  # (container name, GPUs requested)
    batch: bool


class GpuRequestOnServerless(Check):
    """
    ## What it does
    Flags an ECS task definition that requires Fargate (`RequiresCompatibilities` /
    `requires_compatibilities` naming `FARGATE`) and whose containers request a GPU
    (`ResourceRequirements` of type `GPU`), and an AWS Batch job definition for the Fargate
    platform (`PlatformCapabilities: [FARGATE]`) whose container properties request one. The
    container definitions are read from CloudFormation and from Terraform's `jsonencode()`,
    `file()`, `templatefile()` or a heredoc, from the `container_definitions` of the
    terraform-aws-modules/ecs service submodule, and from the `job_definitions` entries
    (`platform_capabilities`, `container_properties`) of the terraform-aws-modules/batch module.

    ## Why is this bad?
    Fargate has no GPUs. The task definition or job definition is rejected at registration, or the
    task never starts: the GPU work this definition was written for does not run at all, and it
    surfaces only at deploy time.

    ## Example
    ```yaml
    Inference:
      Type: AWS::ECS::TaskDefinition
      Properties:
        RequiresCompatibilities: [FARGATE]
        Cpu: "4096"
        Memory: "16384"
        ContainerDefinitions:
          - Name: model
            Image: my-registry/inference:latest
            ResourceRequirements:
              - Type: GPU
                Value: "1"
    ```
    ```hcl
    resource "aws_ecs_task_definition" "inference" {
      requires_compatibilities = ["FARGATE"]
      container_definitions = jsonencode([{
        name                 = "model"
        image                = "my-registry/inference:latest"
        resourceRequirements = [{ type = "GPU", value = "1" }]
      }])
    }
    ```

    ## Use instead
    Run the task on EC2 GPU capacity: `RequiresCompatibilities: [EC2]` and an ECS capacity provider
    backed by an Auto Scaling group of GPU instances (G or P families, the ECS GPU-optimized AMI),
    which can scale to zero between jobs. For batch work, an AWS Batch job on an EC2 (or Spot)
    compute environment with GPU instance types; for model training or inference endpoints,
    Amazon SageMaker.

    ## Options
    None.

    ## References
    - [Amazon ECS task definitions for GPU workloads](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-gpu.html)
    - [AWS Batch: when to use Fargate](https://docs.aws.amazon.com/batch/latest/userguide/when-to-use-fargate.html)
    - [AWS Batch GPU jobs](https://docs.aws.amazon.com/batch/latest/userguide/gpu-jobs.html)
    """

    id = "CF206"
    name = "gpu-request-on-serverless"
    severity = ERROR
    summary = "Fargate task or Batch job definition requesting a GPU: Fargate has no GPUs, the task never starts"
    tags = ("aws", "ecs", "fargate", "batch", "gpu", "correctness")
    confidence = MEDIUM  # the lowest confidence its findings can have (SARIF precision)
    options = {}

    #: An ECS service is a subject only when it declares its containers itself (the
    #: terraform-aws-modules/ecs service submodule creates its task definition).
    applies_to = (m.ECS_TASK, m.ECS_SERVICE, BATCH_JOB_DEFINITION)

    def detect(self, subject: Any, ctx: CheckContext) -> Iterable[GpuOnFargate]:
        if facts.value("fargate.gpu_supported"):
            return
        if subject.kind == m.ECS_SERVICE and subject.setting(m.CONTAINER_DEFINITIONS) is None:
            return
        batch = getattr(subject, "kind", None) == BATCH_JOB_DEFINITION
        platform = subject.setting("platform_capabilities" if batch else m.REQUIRES_COMPATIBILITIES)
        if platform is None or not isinstance(platform.value, list):
            return  # the EC2 default, or unknown: quiet
        if not any(isinstance(p, str) and p.upper() == "FARGATE" for p in platform.value):
            return
        definitions = subject.setting("container_properties" if batch else m.CONTAINER_DEFINITIONS)
        cs = read_containers(definitions) if batch else subject.containers
        if definitions is None or m.is_unknown(cs):
            return
        gpus = [(c.name, c.gpus) for c in cs if c.gpus and (m.is_unknown(c.gpus) or c.gpus > 0)]
        if gpus:
            yield GpuOnFargate(subject, platform, definitions, gpus, batch)

    def explain(self, v: GpuOnFargate, ctx: CheckContext) -> Finding:
        def count(n: Any) -> str:
            return "an unresolved number of GPUs" if m.is_unknown(n) else f"{n} GPU{'s' if n != 1 else ''}"

        platforms = ", ".join(map(str, v.platform.value))
        if v.batch:
            (_name, n), = v.gpu_containers
            message = (f"{v.subject.name} is an AWS Batch job definition for Fargate (platform capabilities "
                       f"{platforms}) whose container asks for {count(n)}: Fargate has no GPUs, so the job "
                       "definition is rejected or its jobs never start.")
        else:
            names = ", ".join(f"{name if isinstance(name, str) else 'a container'} asks for {count(n)}"
                              for name, n in v.gpu_containers)
            message = (f"{v.subject.name} is a Fargate task definition (requires compatibilities {platforms}) "
                       f"whose containers request GPUs ({names}): Fargate has no GPUs, so the task definition "
                       "is rejected or its tasks never start.")
        if v.batch:
            recommendation = ("Run the job on an AWS Batch EC2 (or Spot) compute environment with GPU instance "
                              "types (G or P families): set PlatformCapabilities to EC2 and keep the GPU resource "
                              "requirement; for training or inference endpoints, consider Amazon SageMaker.")
        else:
            recommendation = ("Run the task on EC2 GPU capacity: require EC2 instead of FARGATE and place it with an "
                              "ECS capacity provider backed by an Auto Scaling group of GPU instances (G or P "
                              "families, the ECS GPU-optimized AMI), which can scale to zero between jobs; for batch "
                              "work, an AWS Batch job on an EC2 GPU compute environment; for training or inference "
                              "endpoints, Amazon SageMaker.")
        unknown = any(m.is_unknown(n) for _c, n in v.gpu_containers)
        evidence = {
            "platform": setting_evidence(v.platform),
            "container_definitions_at": str(v.definitions.location) if v.definitions.location else None,
            "gpu_containers": [{"container": name if not m.is_unknown(name) else f"unknown ({name.reason})",
                                "gpus": f"unknown ({n.reason})" if m.is_unknown(n) else n}
                               for name, n in v.gpu_containers],
            "fargate_gpu_supported": facts.fact("fargate.gpu_supported").cite(),
        }
        return self.finding(v.subject, message, recommendation, at=v.definitions,
                            confidence=MEDIUM if unknown else HIGH, evidence=evidence)
