# Growth team's ECS workloads on the shared "apps" cluster (EC2 + Fargate capacity providers).

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "cluster_arn" {
  type    = string
  default = "arn:aws:ecs:us-east-1:123456789012:cluster/apps-prod"
}

variable "private_subnets" {
  type    = list(string)
  default = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
}

# ---------------------------------------------------------------------------------------------
# Referral payouts: go-crond in the foreground, via the community ECS service module.
# ---------------------------------------------------------------------------------------------
module "referral_payouts" {
  source  = "terraform-aws-modules/ecs/aws//modules/service"
  version = "5.11.2"

  name        = "referral-payouts"
  cluster_arn = var.cluster_arn

  cpu    = 512
  memory = 1024

  desired_count            = 1
  enable_autoscaling       = false
  requires_compatibilities = ["FARGATE"]
  launch_type              = "FARGATE"

  container_definitions = {
    payouts = {
      image     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/growth/referral-payouts:1.6.0"
      essential = true
      command   = ["go-crond", "--allow-unprivileged", "root:/etc/crontabs/payouts"]

      readonly_root_filesystem = false
    }
  }

  subnet_ids = var.private_subnets
}

# ---------------------------------------------------------------------------------------------
# Churn scoring: a heredoc task definition (copied from the console JSON) with a sleep loop.
# ---------------------------------------------------------------------------------------------
resource "aws_ecs_task_definition" "churn_score" {
  family                   = "churn-score"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "1024"
  memory                   = "4096"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = <<DEFS
[
  {
    "name": "churn-score",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/growth/churn-score:0.12.0",
    "essential": true,
    "entryPoint": ["sh", "-c"],
    "command": ["while true; do python -m churn.score --since 1d; sleep 86400; done"]
  }
]
DEFS
}

resource "aws_ecs_service" "churn_score" {
  name            = "churn-score"
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.churn_score.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets = var.private_subnets
  }
}

# ---------------------------------------------------------------------------------------------
# Log shipper on every EC2 container instance, with a crond that rotates its buffer files.
# ---------------------------------------------------------------------------------------------
resource "aws_ecs_task_definition" "log_agent" {
  family                   = "log-agent"
  requires_compatibilities = ["EC2"]
  network_mode             = "host"

  container_definitions = jsonencode([{
    name      = "agent"
    image     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/log-agent:4.0.0"
    essential = true
    memory    = 256
    command   = ["crond", "-f"]
  }])
}

resource "aws_ecs_service" "log_agent" {
  name                = "log-agent"
  cluster             = var.cluster_arn
  task_definition     = aws_ecs_task_definition.log_agent.arn
  scheduling_strategy = "DAEMON"
}

# ---------------------------------------------------------------------------------------------
# Weekly cohort export: already a scheduled task (EventBridge rule -> ECS RunTask).
# ---------------------------------------------------------------------------------------------
resource "aws_ecs_task_definition" "cohort_export" {
  family                   = "cohort-export"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "2048"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([{
    name      = "export"
    image     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/growth/cohort-export:2.0.4"
    essential = true
    command   = ["python", "-m", "cohorts.export", "--week", "last"]
  }])
}

resource "aws_cloudwatch_event_rule" "cohort_export" {
  name                = "cohort-export-weekly"
  schedule_expression = "cron(0 5 ? * MON *)"
}

resource "aws_cloudwatch_event_target" "cohort_export" {
  rule     = aws_cloudwatch_event_rule.cohort_export.name
  arn      = var.cluster_arn
  role_arn = "arn:aws:iam::123456789012:role/events-run-task"

  ecs_target {
    task_definition_arn = aws_ecs_task_definition.cohort_export.arn
    launch_type         = "FARGATE"
    task_count          = 1

    network_configuration {
      subnets = var.private_subnets
    }
  }
}
