# computefit:ignore CF201 until 2099-06-30 -- vendor module, tuned by the vendor
module "export" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "export"
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = 900
}

module "reported" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "reported"
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = 900
}
