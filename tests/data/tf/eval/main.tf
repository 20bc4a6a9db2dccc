variable "timeout" {
  type    = number
  default = 10
}

variable "memory" {
  default = 128
}

variable "runtime" {
  default = "python3.11"
}

variable "env" {
  default = "dev"
}

variable "db_host" {
  type = string
}

locals {
  prefix   = "app-${var.env}"
  handler  = "main.handler"
  big      = var.env == "prod"
  settings = jsondecode(jsonencode({ size = 1024, arch = ["arm64"] }))
}

resource "aws_lambda_function" "api" {
  function_name = "${local.prefix}-api"
  timeout       = var.timeout
  memory_size   = var.memory
  runtime       = var.runtime
  handler       = local.handler
  architectures = local.settings.arch
  package_type  = upper("zip") == "ZIP" ? "Zip" : "Image"

  ephemeral_storage {
    size = local.big ? 4096 : local.settings.size
  }
}

resource "aws_lambda_function" "worker" {
  count         = 3
  function_name = format("%s-worker-%d", local.prefix, 1)
  handler       = "w.handler"
  runtime       = "nodejs20.x"
  timeout       = max(5, min(60, 30 * 2))
}

resource "aws_lambda_function" "each" {
  for_each      = toset(["a", "b"])
  function_name = "each-${each.key}"
  handler       = "e.handler"
  runtime       = "python3.12"
}

resource "aws_instance" "web" {
  instance_type = lookup({ dev = "t3.micro", prod = "m5.large" }, var.env, "t3.small")
  user_data     = templatefile("${path.module}/scripts/init.sh.tpl", { host = var.db_host, port = 5432 })
  tags = merge({ Name = "web" }, { Env = var.env })
}

resource "aws_instance" "heredoc" {
  instance_type = "t3.nano"
  user_data     = <<-EOT
    #!/bin/bash
    echo "${join(",", split("-", "a-b-c"))}"
      indented ${trimspace("  x  ")}
    connect ${var.db_host}
    EOT
}

resource "aws_instance" "missing" {
  instance_type = "t3.nano"
  user_data     = file("${path.module}/scripts/missing.sh")
}

resource "aws_instance" "b64" {
  instance_type    = "t3.nano"
  user_data_base64 = base64encode("#!/bin/sh\necho ${coalesce("", "hi")}\n")
}

resource "aws_instance" "plainheredoc" {
  instance_type = "t3.nano"
  user_data     = <<EOF
#!/bin/bash
  keep ${lower("INDENT")}
EOF
}
