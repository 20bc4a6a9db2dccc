provider "aws" {
  region = "us-east-1"
}

resource "aws_ecs_cluster" "jobs" {
  name = "jobs-${var.environment}"
}

locals {
  image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/warehouse/jobs:2024.12.1"
}

resource "aws_ecs_task_definition" "warehouse_cron" {
  family                   = "warehouse-cron-${var.environment}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "1024"
  memory                   = "2048"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([{
    name       = "scheduler"
    image      = local.image
    essential  = true
    entryPoint = ["supercronic", "-split-logs"]
    command    = ["/app/crontab"]
  }])
}

# desired count from a variable (default 1) -> one task all month.
resource "aws_ecs_service" "warehouse_cron" {
  name            = "warehouse-cron"
  cluster         = aws_ecs_cluster.jobs.id
  task_definition = aws_ecs_task_definition.warehouse_cron.arn
  desired_count   = var.scheduler_replicas
  launch_type     = "FARGATE"

  network_configuration {
    subnets = var.subnets
  }
}

# Parked copy of the same scheduler for the DR region drill: no desired_count, which the AWS
# provider defaults to 0 tasks.
resource "aws_ecs_service" "warehouse_cron_standby" {
  name            = "warehouse-cron-standby"
  cluster         = aws_ecs_cluster.jobs.id
  task_definition = aws_ecs_task_definition.warehouse_cron.arn
  launch_type     = "FARGATE"

  network_configuration {
    subnets = var.subnets
  }
}
