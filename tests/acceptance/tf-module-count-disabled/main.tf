provider "aws" {
  region = "us-east-1"
}

# Decommissioned: would be a 15-minute Java function behind a public function URL.
module "legacy_importer" {
  source = "./modules/http-function"
  count  = var.legacy_importer_enabled ? 1 : 0

  name        = "legacy-importer-${var.environment}"
  runtime     = "java17"
  handler     = "com.acme.importer.Handler::handleRequest"
  package     = "build/importer.zip"
  timeout     = 900
  memory_size = 3008
}

module "statements_api" {
  source = "./modules/http-function"
  count  = var.statements_api_enabled ? 1 : 0

  name        = "statements-api-${var.environment}"
  runtime     = "nodejs20.x"
  handler     = "index.handler"
  package     = "build/statements.zip"
  timeout     = 840
  memory_size = 512
}
