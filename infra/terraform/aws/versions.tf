terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  # Local state by default. For a team, keep it in S3 with locking, e.g.
  #   backend "s3" { bucket = "…" key = "cloud-doctor/aws.tfstate" region = "…" use_lockfile = true }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}
