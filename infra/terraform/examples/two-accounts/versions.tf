terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

# One provider per patient account. Terraform's own credentials (the default chain, or
# `profile`) assume a deployment role in each account when `deploy_role_arn` is set;
# allowed_account_ids stops an apply with credentials for the wrong account before it changes
# anything.
provider "aws" {
  alias               = "prod"
  region              = var.prod.region
  profile             = var.prod.profile
  allowed_account_ids = [var.prod.account_id]

  dynamic "assume_role" {
    for_each = var.prod.deploy_role_arn == null ? [] : [var.prod.deploy_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "cloud-doctor-terraform"
    }
  }

  default_tags {
    tags = var.tags
  }
}

provider "aws" {
  alias               = "staging"
  region              = var.staging.region
  profile             = var.staging.profile
  allowed_account_ids = [var.staging.account_id]

  dynamic "assume_role" {
    for_each = var.staging.deploy_role_arn == null ? [] : [var.staging.deploy_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "cloud-doctor-terraform"
    }
  }

  default_tags {
    tags = var.tags
  }
}
