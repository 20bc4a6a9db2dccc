variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type = string
}

variable "import_timeout" {
  type        = number
  description = "Supplier feed import; the largest feed takes ~11 minutes"
  default     = 900
}

variable "thumbnail_timeout" {
  type        = number
  description = "Thumbnail regeneration per S3 upload"
  default     = 120
}

variable "reindex_timeout" {
  type        = number
  description = "Search reindex after a catalog change"
  default     = 900
}

variable "lambda_memory" {
  type    = number
  default = 2048
}
