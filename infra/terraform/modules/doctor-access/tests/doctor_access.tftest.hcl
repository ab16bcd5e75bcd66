# `terraform test` (Terraform >= 1.7) with a mocked aws provider: no credentials, no network, but
# the module evaluated by Terraform itself, policies rendered from infra/policies.
# tests/infra/test_terraform.py runs it when terraform and the aws provider are available.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111122223333"
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
}

variables {
  google_service_account_unique_id = "112233445566778899001"
  log_groups                       = ["/aws/ec2/chaos-app", "/aws/lambda/orders"]
}

run "trusts_one_service_account_and_reads_only_the_groups" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role.doctor.assume_role_policy).Statement == [{
      Sid       = "CloudDoctorServiceAccountOnly"
      Effect    = "Allow"
      Principal = { Federated = "accounts.google.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "accounts.google.com:aud"  = "112233445566778899001"
          "accounts.google.com:sub"  = "112233445566778899001"
          "accounts.google.com:oaud" = "sts.amazonaws.com/cloud-doctor"
        }
      }
    }]
    error_message = "the trust policy must admit the one service account (sub, aud) with the audience (oaud), nothing else"
  }

  assert {
    condition     = aws_iam_role.doctor.max_session_duration == 3600 && aws_iam_role.doctor.name == "cloud-doctor"
    error_message = "one-hour sessions, role named cloud-doctor by default"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.doctor_read_logs.policy).Statement[0].Resource == [
      "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/ec2/chaos-app",
      "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/ec2/chaos-app:*",
      "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/orders",
      "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/orders:*",
    ]
    error_message = "the read policy covers exactly the allowed groups and their streams"
  }

  assert {
    condition     = length(aws_iam_role_policy.doctor_list_log_groups) == 0
    error_message = "listing log groups is opt-in"
  }

  assert {
    condition     = output.log_groups == tolist(["/aws/ec2/chaos-app", "/aws/lambda/orders"]) && output.region == "eu-west-1"
    error_message = "outputs: the target's log groups and region"
  }
}

run "listing_is_region_scoped_when_asked_for" {
  command = plan

  variables {
    can_list_log_groups = true
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.doctor_list_log_groups[0].policy).Statement[0].Resource == "arn:aws:logs:eu-west-1:111122223333:log-group:*"
    error_message = "DescribeLogGroups only in the provider's account and region"
  }
}

run "refuses_an_email_for_the_unique_id" {
  command = plan

  variables {
    google_service_account_unique_id = "cloud-doctor@my-project.iam.gserviceaccount.com"
  }

  expect_failures = [var.google_service_account_unique_id]
}

run "refuses_wildcard_log_groups" {
  command = plan

  variables {
    log_groups = ["/aws/*"]
  }

  expect_failures = [var.log_groups]
}

run "refuses_no_log_group" {
  command = plan

  variables {
    log_groups = []
  }

  expect_failures = [var.log_groups]
}

run "refuses_a_quote_in_the_audience" {
  command = plan

  variables {
    token_audience = "sts.amazonaws.com/\"x"
  }

  expect_failures = [var.token_audience]
}
