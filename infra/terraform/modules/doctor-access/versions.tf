# A child module: no provider block. The caller passes the aws provider of the patient account
# (and region) the role is created in: `providers = { aws = aws.<alias> }`.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
