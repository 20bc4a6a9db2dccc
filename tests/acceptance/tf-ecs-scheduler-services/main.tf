# Platform "ops" cluster: the small services each product team asked us to run for them.
# Owned by platform-eng (#plat-oncall). Fargate only, private subnets, no public IPs.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  env        = "prod"
  log_group  = "/ecs/ops-${local.env}"
  registry   = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
  common_tags = {
    team        = "platform"
    environment = local.env
    cost-center = "cc-4410"
  }
}

resource "aws_ecs_cluster" "ops" {
  name = "ops-${local.env}"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = local.common_tags
}

resource "aws_cloudwatch_log_group" "ops" {
  name              = local.log_group
  retention_in_days = 30
}

resource "aws_security_group" "tasks" {
  name   = "ops-${local.env}-tasks"
  vpc_id = "vpc-0123456789abcdef0"

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# ---------------------------------------------------------------------------------------------
# ledger-cron: the finance team's old crontab (nightly GL export + month-end close), moved off
# the "finance-utility" EC2 box last quarter. Alpine + dcron in the foreground.
# ---------------------------------------------------------------------------------------------
resource "aws_ecs_task_definition" "ledger_cron" {
  family                   = "ledger-cron"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "1024"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  task_role_arn            = "arn:aws:iam::123456789012:role/ledger-cron-task"

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name      = "ledger-cron"
      image     = "${local.registry}/finance/ledger-cron:2024.11.3"
      essential = true
      command   = ["crond", "-f", "-l", "2", "-c", "/etc/crontabs"]
      environment = [
        { name = "LEDGER_BUCKET", value = "acme-prod-ledger-exports" },
        { name = "TZ", value = "UTC" },
      ]
      secrets = [
        { name = "DB_PASSWORD", valueFrom = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/ledger/db-AbCdEf" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = local.log_group
          awslogs-region        = "us-east-1"
          awslogs-stream-prefix = "ledger-cron"
        }
      }
    }
  ])

  tags = local.common_tags
}

resource "aws_ecs_service" "ledger_cron" {
  name            = "ledger-cron"
  cluster         = aws_ecs_cluster.ops.id
  task_definition = aws_ecs_task_definition.ledger_cron.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  # Never run two copies: the crontab is not idempotent.
  deployment_maximum_percent         = 100
  deployment_minimum_healthy_percent = 0

  network_configuration {
    subnets          = local.subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  tags = local.common_tags
}

# ---------------------------------------------------------------------------------------------
# feed-sync: pulls partner product feeds every night with supercronic; container definition
# lives in a JSON file the data team edits.
# ---------------------------------------------------------------------------------------------
resource "aws_ecs_task_definition" "feed_sync" {
  family                   = "feed-sync"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 1024
  memory                   = 2048
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  task_role_arn            = "arn:aws:iam::123456789012:role/feed-sync-task"
  container_definitions    = file("${path.module}/containers/feed-sync.json")

  tags = local.common_tags
}

resource "aws_ecs_service" "feed_sync" {
  name                 = "feed-sync"
  cluster              = aws_ecs_cluster.ops.id
  task_definition      = aws_ecs_task_definition.feed_sync.arn
  desired_count        = 1
  launch_type          = "FARGATE"
  force_new_deployment = true

  network_configuration {
    subnets         = local.subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }

  tags = local.common_tags
}

# ---------------------------------------------------------------------------------------------
# report-mailer: hourly "send the scheduled reports" loop. Rendered from a template so the
# image tag comes from the release pipeline.
# ---------------------------------------------------------------------------------------------
variable "report_mailer_tag" {
  type    = string
  default = "v3.8.1"
}

resource "aws_ecs_task_definition" "report_mailer" {
  family                   = "report-mailer"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = templatefile("${path.module}/containers/report-mailer.json.tpl", {
    image     = "${local.registry}/bi/report-mailer:${var.report_mailer_tag}"
    log_group = local.log_group
    smtp_host = "email-smtp.us-east-1.amazonaws.com"
  })

  tags = local.common_tags
}

resource "aws_ecs_service" "report_mailer" {
  name            = "report-mailer"
  cluster         = aws_ecs_cluster.ops.id
  task_definition = aws_ecs_task_definition.report_mailer.arn
  desired_count   = 1

  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }

  network_configuration {
    subnets         = local.subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }

  tags = local.common_tags
}

# =============================================================================================
# Below: services that are NOT cron-in-a-box.
# =============================================================================================

# status-page: one small Flask app behind the internal ALB. Its image also ships a crond sidecar
# that refreshes the incident cache, but the service exists to serve HTTP.
resource "aws_lb_target_group" "status" {
  name        = "status-page-${local.env}"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = "vpc-0123456789abcdef0"

  health_check {
    path = "/healthz"
  }
}

resource "aws_ecs_task_definition" "status_page" {
  family                   = "status-page"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "1024"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([
    {
      name         = "cache-refresh"
      image        = "${local.registry}/sre/status-page:1.14.0"
      essential    = true
      command      = ["crond", "-f"]
    },
    {
      name         = "web"
      image        = "${local.registry}/sre/status-page:1.14.0"
      essential    = true
      command      = ["gunicorn", "status.app:app", "--bind", "0.0.0.0:8080", "--workers", "2"]
      portMappings = [{ containerPort = 8080, protocol = "tcp" }]
    }
  ])
}

resource "aws_ecs_service" "status_page" {
  name            = "status-page"
  cluster         = aws_ecs_cluster.ops.id
  task_definition = aws_ecs_task_definition.status_page.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  load_balancer {
    target_group_arn = aws_lb_target_group.status.arn
    container_name   = "web"
    container_port   = 8080
  }

  network_configuration {
    subnets         = local.subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }
}

# cert-watch: checks every partner endpoint's TLS certificate every 15 minutes and exposes the
# results for Prometheus, which finds it through Cloud Map.
resource "aws_service_discovery_private_dns_namespace" "ops" {
  name = "ops.internal"
  vpc  = "vpc-0123456789abcdef0"
}

resource "aws_service_discovery_service" "cert_watch" {
  name = "cert-watch"

  dns_config {
    namespace_id = aws_service_discovery_private_dns_namespace.ops.id
    dns_records {
      ttl  = 10
      type = "A"
    }
  }
}

resource "aws_ecs_task_definition" "cert_watch" {
  family                   = "cert-watch"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([{
    name      = "cert-watch"
    image     = "${local.registry}/sre/cert-watch:0.9.2"
    essential = true
    command   = ["/bin/sh", "-c", "while true; do /usr/local/bin/cert-watch scan --targets /etc/cert-watch/targets.yaml --out /srv/metrics/certs.prom; sleep 900; done"]
  }])
}

resource "aws_ecs_service" "cert_watch" {
  name            = "cert-watch"
  cluster         = aws_ecs_cluster.ops.id
  task_definition = aws_ecs_task_definition.cert_watch.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  service_registries {
    registry_arn = aws_service_discovery_service.cert_watch.arn
  }

  network_configuration {
    subnets         = local.subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }
}

# search-reindex: three supercronic replicas, one per shard set (the crontab picks the shard
# from the task's SHARD_GROUP, assigned by the entrypoint from the task ARN).
resource "aws_ecs_task_definition" "search_reindex" {
  family                   = "search-reindex"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "1024"
  memory                   = "4096"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([{
    name       = "reindex"
    image      = "${local.registry}/search/reindex:5.2.0"
    essential  = true
    entryPoint = ["/usr/local/bin/supercronic"]
    command    = ["-json", "/app/crontab"]
  }])
}

resource "aws_ecs_service" "search_reindex" {
  name            = "search-reindex"
  cluster         = aws_ecs_cluster.ops.id
  task_definition = aws_ecs_task_definition.search_reindex.arn
  desired_count   = 3
  launch_type     = "FARGATE"

  network_configuration {
    subnets         = local.subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }
}

# admin-console: internal Rails console, reached over the VPN by its task IP. One task.
resource "aws_ecs_task_definition" "admin_console" {
  family                   = "admin-console"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "2048"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([{
    name         = "console"
    image        = "${local.registry}/backoffice/admin:7.1.4"
    essential    = true
    command      = ["bundle", "exec", "puma", "-C", "config/puma.rb", "-p", "3000"]
    portMappings = [{ containerPort = 3000 }]
  }])
}

resource "aws_ecs_service" "admin_console" {
  name            = "admin-console"
  cluster         = aws_ecs_cluster.ops.id
  task_definition = aws_ecs_task_definition.admin_console.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets         = local.subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }
}

# webhook-dispatcher: drains the outbound-webhooks SQS queue. One consumer is plenty.
resource "aws_ecs_task_definition" "webhook_dispatcher" {
  family                   = "webhook-dispatcher"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([{
    name      = "dispatcher"
    image     = "${local.registry}/integrations/webhook-dispatcher:2.3.0"
    essential = true
    command   = ["celery", "-A", "dispatcher.tasks", "worker", "--queues", "outbound-webhooks", "--concurrency", "4"]
    environment = [
      { name = "BROKER_URL", value = "sqs://" },
    ]
  }])
}

resource "aws_ecs_service" "webhook_dispatcher" {
  name            = "webhook-dispatcher"
  cluster         = aws_ecs_cluster.ops.id
  task_definition = aws_ecs_task_definition.webhook_dispatcher.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets         = local.subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }
}

# nightly-dedupe: already the right shape, a scheduled task (EventBridge Scheduler -> RunTask).
resource "aws_ecs_task_definition" "nightly_dedupe" {
  family                   = "nightly-dedupe"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "1024"
  memory                   = "2048"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([{
    name      = "dedupe"
    image     = "${local.registry}/crm/dedupe:1.0.7"
    essential = true
    command   = ["python", "-m", "dedupe.run", "--since", "24h"]
  }])
}

resource "aws_scheduler_schedule" "nightly_dedupe" {
  name                = "nightly-dedupe"
  schedule_expression = "cron(30 3 * * ? *)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_ecs_cluster.ops.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-run-task"

    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.nightly_dedupe.arn
      launch_type         = "FARGATE"

      network_configuration {
        subnets          = local.subnet_ids
        security_groups  = [aws_security_group.tasks.id]
        assign_public_ip = false
      }
    }
  }
}
