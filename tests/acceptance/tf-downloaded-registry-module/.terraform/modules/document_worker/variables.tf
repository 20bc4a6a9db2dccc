variable "name" {
  description = "Name prefix for the queue, DLQ and function"
  type        = string
}

variable "runtime" {
  type    = string
  default = "python3.12"
}

variable "handler" {
  type = string
}

variable "package_path" {
  type = string
}

variable "timeout" {
  description = "Function timeout in seconds"
  type        = number
  default     = 30
}

variable "memory_size" {
  type    = number
  default = 512
}

variable "visibility_timeout_seconds" {
  description = "Queue visibility timeout. Keep it at least 6 x timeout."
  type        = number
  default     = 30
}

variable "queue_max_receive_count" {
  type    = number
  default = 3
}

variable "batch_size" {
  type    = number
  default = 10
}
