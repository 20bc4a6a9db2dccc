# ML platform: inference and batch scoring on ECS / AWS Batch (team: ml-infra).

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.50" }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  ecr         = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  exec_role   = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  model_store = "s3://acme-ml-models/prod"
}

resource "aws_ecs_cluster" "ml" {
  name = "ml-prod"
}

# Text embeddings API. Moved to Fargate "to stop managing instances" (PR #2291).
resource "aws_ecs_task_definition" "embeddings" {
  family                   = "embeddings"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 4096
  memory                   = 16384
  execution_role_arn       = local.exec_role

  container_definitions = jsonencode([
    {
      name      = "embeddings"
      image     = "${local.ecr}/ml/embeddings-server:0.18.2-cuda12"
      essential = true
      command   = ["python", "-m", "embeddings.serve", "--model", "${local.model_store}/e5-large", "--device", "cuda"]
      portMappings = [{ containerPort = 8000 }]
      resourceRequirements = [
        { type = "GPU", value = "1" }
      ]
    }
  ])
}

resource "aws_ecs_service" "embeddings" {
  name            = "embeddings"
  cluster         = aws_ecs_cluster.ml.id
  task_definition = aws_ecs_task_definition.embeddings.arn
  desired_count   = 2
  launch_type     = "FARGATE"

  network_configuration {
    subnets = ["subnet-0aa11bb22cc33dd44"]
  }
}

# Video transcoding task, compatible with both launch types; definitions kept in a JSON file.
resource "aws_ecs_task_definition" "transcode" {
  family                   = "transcode"
  requires_compatibilities = ["EC2", "FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "8192"
  memory                   = "32768"
  execution_role_arn       = local.exec_role
  container_definitions    = file("${path.module}/taskdefs/transcode.json")
}

# Fine-tuning on the g5 capacity provider (EC2): the right shape for a GPU.
resource "aws_ecs_task_definition" "finetune" {
  family                   = "finetune"
  requires_compatibilities = ["EC2"]
  network_mode             = "awsvpc"
  memory                   = "61440"
  execution_role_arn       = local.exec_role

  container_definitions = jsonencode([{
    name                 = "trainer"
    image                = "${local.ecr}/ml/trainer:2.3.0-cuda12"
    essential            = true
    command              = ["torchrun", "--nproc_per_node=4", "train.py"]
    resourceRequirements = [{ type = "GPU", value = "4" }]
  }])

  placement_constraints {
    type       = "memberOf"
    expression = "attribute:ecs.instance-type =~ g5.*"
  }
}

# CPU-only reranker on Fargate: no GPU requested.
resource "aws_ecs_task_definition" "reranker" {
  family                   = "reranker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 2048
  memory                   = 8192
  execution_role_arn       = local.exec_role

  container_definitions = jsonencode([{
    name         = "reranker"
    image        = "${local.ecr}/ml/reranker:1.2.0-cpu"
    essential    = true
    portMappings = [{ containerPort = 8080 }]
  }])
}

# Nightly batch scoring on AWS Batch: the Fargate job definition asks for a GPU.
resource "aws_batch_job_definition" "score_fargate" {
  name                  = "nightly-scoring"
  type                  = "container"
  platform_capabilities = ["FARGATE"]

  container_properties = jsonencode({
    image            = "${local.ecr}/ml/scorer:3.4.1-cuda12"
    command          = ["python", "score.py", "--date", "Ref::date"]
    executionRoleArn = local.exec_role
    resourceRequirements = [
      { type = "VCPU", value = "4" },
      { type = "MEMORY", value = "16384" },
      { type = "GPU", value = "1" }
    ]
    networkConfiguration = { assignPublicIp = "DISABLED" }
  })
}

# The same job on the EC2 (g4dn Spot) compute environment: fine.
resource "aws_batch_job_definition" "score_ec2" {
  name                  = "nightly-scoring-ec2"
  type                  = "container"
  platform_capabilities = ["EC2"]

  container_properties = jsonencode({
    image   = "${local.ecr}/ml/scorer:3.4.1-cuda12"
    command = ["python", "score.py", "--date", "Ref::date"]
    resourceRequirements = [
      { type = "VCPU", value = "4" },
      { type = "MEMORY", value = "15000" },
      { type = "GPU", value = "1" }
    ]
  })
}
