# `terraform test` (Terraform >= 1.7) with both aws providers mocked: the two module calls, each
# in its own account and region, the same service account, and the DOCTOR_TARGETS_FILE output.
# tests/infra/test_terraform.py runs it when terraform and the aws provider are available.

mock_provider "aws" {
  alias = "prod"

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111111111111"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111111111111:role/cloud-doctor"
    }
  }
}

mock_provider "aws" {
  alias = "staging"

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "222222222222"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::222222222222:role/cloud-doctor"
    }
  }
}

variables {
  google_service_account_unique_id = "112233445566778899001"
  prod = {
    target     = "payments-prod"
    account_id = "111111111111"
    region     = "eu-west-1"
    log_groups = ["/aws/ecs/payments-api", "/aws/ecs/payments-worker"]
  }
  staging = {
    target     = "payments-staging"
    account_id = "222222222222"
    region     = "us-east-1"
    log_groups = ["/aws/ecs/payments-api"]
  }
}

run "two_accounts_one_service_account" {
  command = apply

  assert {
    condition = alltrue([
      for policy in [module.prod.trust_policy, module.staging.trust_policy] :
      jsondecode(policy).Statement[0].Condition.StringEquals["accounts.google.com:sub"] == "112233445566778899001"
    ])
    error_message = "both accounts trust the same service account"
  }

  assert {
    condition     = output.role_arns == { "payments-prod" = "arn:aws:iam::111111111111:role/cloud-doctor", "payments-staging" = "arn:aws:iam::222222222222:role/cloud-doctor" }
    error_message = "one role per account, each in its own account"
  }

  assert {
    condition     = module.prod.region == "eu-west-1" && module.staging.region == "us-east-1"
    error_message = "each module call uses its own provider"
  }

  assert {
    condition     = strcontains(output.doctor_targets_toml, "[targets.payments-staging]\nrole_arn = \"arn:aws:iam::222222222222:role/cloud-doctor\"\nregion = \"us-east-1\"\nlog_groups = [\"/aws/ecs/payments-api\"]\n")
    error_message = "the DOCTOR_TARGETS_FILE snippet names each target with its role, region and groups"
  }
}

run "refuses_an_email_for_the_unique_id" {
  command = plan

  variables {
    google_service_account_unique_id = "cloud-doctor@my-project.iam.gserviceaccount.com"
  }

  expect_failures = [var.google_service_account_unique_id]
}
