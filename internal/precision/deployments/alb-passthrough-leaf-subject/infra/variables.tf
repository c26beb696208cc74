variable "region" {
  type    = string
  default = "eu-central-1"
}

variable "vpc_id" {
  type = string
}

variable "public_subnet_ids" {
  type = list(string)
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate for partner-api.example.com"
  type        = string
}

variable "image" {
  description = "Container image (ECR) to deploy"
  type        = string
}

variable "log_bucket" {
  type = string
}
