provider "aws" {
  region = "us-east-1"
}

resource "aws_ecs_cluster" "main" {
  name = "main"
}

resource "aws_ecs_task_definition" "orders" {
  family                   = "orders"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "1024"
  container_definitions = jsonencode([{
    name      = "orders"
    image     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:1.4.2"
    essential = true
    command   = ["gunicorn", "--bind", "0.0.0.0:8080", "orders.app:app"]
    portMappings = [{ containerPort = 8080 }]
  }])
}

resource "aws_ecs_service" "orders" {
  name            = "orders"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.orders.arn
  desired_count   = 3
  launch_type     = "FARGATE"

  network_configuration {
    subnets = ["subnet-0a1b2c3d"]
  }
}
