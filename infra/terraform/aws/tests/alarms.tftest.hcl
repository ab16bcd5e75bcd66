# `terraform test` (Terraform >= 1.7) of the alarm path with a mocked aws provider: no
# credentials, no network, but the root evaluated by Terraform itself and the policies rendered
# from infra/policies. tests/infra/test_terraform.py runs it when terraform and the aws provider
# are available; tests/infra/test_terraform_alarms.py checks the same wiring statically.

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

  mock_data "aws_ec2_instance_type" {
    defaults = {
      supported_architectures = ["x86_64"]
    }
  }

  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:cloud-doctor-patient-errors"
    }
  }

  mock_resource "aws_cloudwatch_event_rule" {
    defaults = {
      arn = "arn:aws:events:eu-west-1:111122223333:rule/cloud-doctor-alarm-to-doctor"
    }
  }

  mock_resource "aws_cloudwatch_event_connection" {
    defaults = {
      arn = "arn:aws:events:eu-west-1:111122223333:connection/cloud-doctor-doctor/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
    }
  }

  mock_resource "aws_cloudwatch_event_api_destination" {
    defaults = {
      arn = "arn:aws:events:eu-west-1:111122223333:api-destination/cloud-doctor-doctor-alerts/0e2b2a7c-1d2f-4c8e-9a57-3c1c6f2b8d11"
    }
  }

  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:111122223333:cloud-doctor-alerts-dlq"
      url = "https://sqs.eu-west-1.amazonaws.com/111122223333/cloud-doctor-alerts-dlq"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/cloud-doctor-alerts-invoke"
    }
  }
}

variables {
  region                           = "eu-west-1"
  image_tag                        = "0.1.0"
  google_service_account_unique_id = "112233445566778899001"
  subnet_id                        = "subnet-0123456789abcdef0"
}

run "off_by_default" {
  command = plan

  assert {
    condition = alltrue([
      length(aws_cloudwatch_log_metric_filter.errors) == 0,
      length(aws_cloudwatch_metric_alarm.errors) == 0,
      length(aws_cloudwatch_event_rule.alarm_state) == 0,
      length(aws_cloudwatch_event_connection.doctor) == 0,
      length(aws_cloudwatch_event_api_destination.doctor) == 0,
      length(aws_cloudwatch_event_target.doctor) == 0,
      length(aws_sqs_queue.alerts_dlq) == 0,
      length(aws_sqs_queue_policy.alerts_dlq) == 0,
      length(aws_iam_role.alert_target) == 0,
      length(aws_iam_role_policy.alert_target) == 0,
    ])
    error_message = "without enable_alarms, no alarm resource at all"
  }
}

run "alarm_path_end_to_end" {
  command = apply

  variables {
    enable_alarms      = true
    doctor_url         = "https://cloud-doctor-abc123-ew.a.run.app/"
    doctor_alert_token = "0123456789abcdef0123456789abcdef"
  }

  assert {
    condition     = aws_cloudwatch_log_metric_filter.errors[0].pattern == "{ ($.level = \"ERROR\") || ($.level = \"CRITICAL\") }" && aws_cloudwatch_log_metric_filter.errors[0].log_group_name == "/aws/ec2/chaos-app"
    error_message = "JSON lines: the metric filter matches the level field, on the patient's log group"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors[0].namespace == aws_cloudwatch_log_metric_filter.errors[0].metric_transformation[0].namespace
      && aws_cloudwatch_metric_alarm.errors[0].metric_name == aws_cloudwatch_log_metric_filter.errors[0].metric_transformation[0].name
      && aws_cloudwatch_metric_alarm.errors[0].namespace == "CloudDoctor"
      && aws_cloudwatch_metric_alarm.errors[0].treat_missing_data == "notBreaching"
      && aws_cloudwatch_metric_alarm.errors[0].statistic == "Sum"
    )
    error_message = "the alarm watches the filter's metric (Sum), missing data is not breaching"
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.alarm_state[0].event_pattern) == {
      source        = ["aws.cloudwatch"]
      "detail-type" = ["CloudWatch Alarm State Change"]
      resources     = ["arn:aws:cloudwatch:eu-west-1:111122223333:alarm:cloud-doctor-patient-errors"]
      detail        = { state = { value = ["ALARM", "OK"] } }
    }
    error_message = "the rule matches ALARM and OK of that one alarm"
  }

  assert {
    condition     = aws_cloudwatch_event_api_destination.doctor[0].invocation_endpoint == "https://cloud-doctor-abc123-ew.a.run.app/alerts/aws" && aws_cloudwatch_event_api_destination.doctor[0].http_method == "POST"
    error_message = "POST to <doctor_url>/alerts/aws, one slash"
  }

  assert {
    condition = (
      aws_cloudwatch_event_connection.doctor[0].authorization_type == "API_KEY"
      && aws_cloudwatch_event_connection.doctor[0].auth_parameters[0].api_key[0].key == "Authorization"
      && aws_cloudwatch_event_connection.doctor[0].auth_parameters[0].api_key[0].value == "Bearer 0123456789abcdef0123456789abcdef"
    )
    error_message = "the connection sends Authorization: Bearer <token>"
  }

  assert {
    condition = (
      aws_cloudwatch_event_target.doctor[0].arn == aws_cloudwatch_event_api_destination.doctor[0].arn
      && aws_cloudwatch_event_target.doctor[0].role_arn == "arn:aws:iam::111122223333:role/cloud-doctor-alerts-invoke"
      && aws_cloudwatch_event_target.doctor[0].dead_letter_config[0].arn == "arn:aws:sqs:eu-west-1:111122223333:cloud-doctor-alerts-dlq"
      && aws_cloudwatch_event_target.doctor[0].retry_policy[0].maximum_event_age_in_seconds == 3600
      && aws_cloudwatch_event_target.doctor[0].retry_policy[0].maximum_retry_attempts == 20
    )
    error_message = "the target is the destination, through the role, with a retry policy and the DLQ"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.alert_target[0].policy).Statement == [{
      Sid      = "InvokeTheDoctorsApiDestinationOnly"
      Effect   = "Allow"
      Action   = "events:InvokeApiDestination"
      Resource = "arn:aws:events:eu-west-1:111122223333:api-destination/cloud-doctor-doctor-alerts/0e2b2a7c-1d2f-4c8e-9a57-3c1c6f2b8d11"
    }]
    error_message = "the role may invoke that one API destination, nothing else"
  }

  assert {
    condition     = jsondecode(aws_iam_role.alert_target[0].assume_role_policy).Statement[0].Condition == { StringEquals = { "aws:SourceAccount" = "111122223333" } }
    error_message = "only EventBridge of this account assumes the role"
  }

  assert {
    condition = jsondecode(aws_sqs_queue_policy.alerts_dlq[0].policy).Statement == [{
      Sid       = "UndeliveredAlarmEventsFromTheOneRule"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:111122223333:cloud-doctor-alerts-dlq"
      Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:events:eu-west-1:111122223333:rule/cloud-doctor-alarm-to-doctor" } }
    }]
    error_message = "only the rule (via EventBridge) may send to the DLQ"
  }

  assert {
    condition     = aws_sqs_queue.alerts_dlq[0].sqs_managed_sse_enabled && output.alerts_dead_letter_queue_url == "https://sqs.eu-west-1.amazonaws.com/111122223333/cloud-doctor-alerts-dlq"
    error_message = "the DLQ is encrypted and its URL is an output"
  }
}

run "text_logs_get_the_term_pattern" {
  command = plan

  variables {
    enable_alarms      = true
    log_format         = "text"
    doctor_url         = "https://doctor.example.com"
    doctor_alert_token = "0123456789abcdef0123456789abcdef"
  }

  assert {
    condition     = startswith(aws_cloudwatch_log_metric_filter.errors[0].pattern, "?ERROR ?CRITICAL")
    error_message = "text lines: the term pattern"
  }
}

run "plain_http_is_refused" {
  command = plan

  variables {
    enable_alarms      = true
    doctor_url         = "http://doctor.example.com"
    doctor_alert_token = "0123456789abcdef0123456789abcdef"
  }

  expect_failures = [var.doctor_url]
}

run "alarms_need_the_token" {
  command = plan

  variables {
    enable_alarms = true
    doctor_url    = "https://doctor.example.com"
  }

  expect_failures = [aws_cloudwatch_event_connection.doctor]
}
