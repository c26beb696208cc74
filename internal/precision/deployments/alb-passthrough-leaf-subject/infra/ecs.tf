resource "aws_ecs_cluster" "main" {
  name = "partner-api"
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/partner-api"
  retention_in_days = 30
}

resource "aws_ecs_task_definition" "app" {
  family                   = "partner-api"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  execution_role_arn       = aws_iam_role.execution.arn

  container_definitions = jsonencode([
    {
      name         = "web"
      image        = var.image
      essential    = true
      portMappings = [{ containerPort = 8000, protocol = "tcp" }]
      environment = [
        { name = "DJANGO_SETTINGS_MODULE", value = "partnerapi.settings.prod" },
      ]
      secrets = [
        { name = "DJANGO_SECRET_KEY", valueFrom = "arn:aws:ssm:eu-central-1:123456789012:parameter/partner-api/secret-key" },
        { name = "POSTGRES_PASSWORD", valueFrom = "arn:aws:ssm:eu-central-1:123456789012:parameter/partner-api/db-password" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "web"
        }
      }
    }
  ])
}

resource "aws_ecs_service" "app" {
  name            = "partner-api"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.app.arn
  desired_count   = 2
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = "web"
    container_port   = 8000
  }
}

resource "aws_iam_role" "execution" {
  name = "partner-api-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}
