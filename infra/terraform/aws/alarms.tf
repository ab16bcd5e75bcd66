# Alarms in, incidents out (issue 14): error lines in the patient's log group → a metric → an
# alarm → an EventBridge rule for that alarm's state changes → an API destination that POSTs the
# event to the doctor's /alerts/aws with `Authorization: Bearer <DOCTOR_ALERT_TOKEN>`. Undelivered
# events (the doctor down past the retry policy) land in an SQS dead-letter queue.
#
# Everything here exists only with enable_alarms = true: it needs the doctor's URL and its alert
# token, which exist only once infra/terraform/gcp has been applied.
#
# The token ends in the Terraform state: the connection's auth_parameters hold it (EventBridge
# itself keeps it in a Secrets Manager secret it manages). Keep the state encrypted and private
# (e.g. the S3 backend with encryption, see versions.tf) and rotate the token by changing
# doctor_alert_token and applying again.

locals {
  alarms = var.enable_alarms ? 1 : 0

  # What counts as an error line, per log_format (alarm_filter_pattern overrides it):
  # - json: the level field of chaos-app's JSON lines, parsed by CloudWatch, so an INFO line
  #   whose message merely contains "ERROR" does not count.
  # - text: each software writes its own header, so a term pattern (any of the terms; terms are
  #   case-sensitive whole words, quoted ones exact text): the upper-case levels of Python, Go,
  #   Spring and PostgreSQL (ERROR, CRITICAL, FATAL, PANIC), nginx's [error], [crit], [alert],
  #   [emerg], and the lower-case fatal / panic / segfault of Node, Go panics and the kernel.
  #   Lower-case "error" is left out on purpose: it is a word in many healthy lines (the logger
  #   gunicorn.error logs every worker boot): adding it would count ~1.6 % of INFO/WARNING lines.
  #   Measured on chaos-app's own output with an emulation of CloudWatch's term matching
  #   (tests/infra/test_terraform_alarms.py): about two thirds of the error-level events match
  #   (the rest: PostgreSQL DETAIL/HINT lines, Node's "error", bare kernel lines), ~0.1 % of the
  #   others. Not checked against CloudWatch itself: try it with `aws logs test-metric-filter`.
  alarm_filter_patterns = {
    json = "{ ($.level = \"ERROR\") || ($.level = \"CRITICAL\") }"
    text = "?ERROR ?CRITICAL ?FATAL ?PANIC ?\"[error]\" ?\"[crit]\" ?\"[alert]\" ?\"[emerg]\" ?fatal ?panic ?segfault"
  }
  alarm_filter_pattern = coalesce(var.alarm_filter_pattern, local.alarm_filter_patterns[var.log_format])

  # The doctor's inlet for EventBridge (DESIGN.md: POST /alerts/aws).
  alerts_endpoint = var.doctor_url == null ? null : "${trimsuffix(var.doctor_url, "/")}/alerts/aws"
}

resource "aws_cloudwatch_log_metric_filter" "errors" {
  count          = local.alarms
  name           = "${var.alarm_name_prefix}-error-lines"
  log_group_name = aws_cloudwatch_log_group.chaos_app.name
  pattern        = local.alarm_filter_pattern

  metric_transformation {
    namespace = var.alarm_metric_namespace
    name      = var.alarm_metric_name
    value     = "1"
    # 0 for every other event: the metric has data points while the patient logs at all, so the
    # alarm returns to OK on healthy minutes instead of waiting on missing data.
    default_value = 0
    unit          = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  count               = local.alarms
  alarm_name          = "${var.alarm_name_prefix}-patient-errors"
  alarm_description   = "Error lines in ${aws_cloudwatch_log_group.chaos_app.name}: Cloud Doctor diagnoses on ALARM and follows up on OK."
  namespace           = var.alarm_metric_namespace
  metric_name         = var.alarm_metric_name
  statistic           = "Sum"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.alarm_threshold
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  # No log events at all (a quiet patient) is not an incident.
  treat_missing_data = "notBreaching"

  # The metric exists once the filter does.
  depends_on = [aws_cloudwatch_log_metric_filter.errors]

  lifecycle {
    precondition {
      condition     = var.alarm_period_seconds * var.alarm_evaluation_periods <= 86400
      error_message = "alarm_period_seconds × alarm_evaluation_periods must not exceed one day (86400 s)."
    }
  }
}

# The alarm's own state changes, ALARM and OK only (INSUFFICIENT_DATA is no news for the doctor).
resource "aws_cloudwatch_event_rule" "alarm_state" {
  count       = local.alarms
  name        = "${var.alarm_name_prefix}-alarm-to-doctor"
  description = "State changes of ${aws_cloudwatch_metric_alarm.errors[0].alarm_name} to the doctor's /alerts/aws"
  event_pattern = jsonencode({
    source      = ["aws.cloudwatch"]
    detail-type = ["CloudWatch Alarm State Change"]
    resources   = [aws_cloudwatch_metric_alarm.errors[0].arn]
    detail = {
      state = {
        value = ["ALARM", "OK"]
      }
    }
  })
}

# API-key authorization: EventBridge sends the key as a header, here the doctor's bearer token.
resource "aws_cloudwatch_event_connection" "doctor" {
  count              = local.alarms
  name               = "${var.alarm_name_prefix}-doctor"
  description        = "Cloud Doctor's alert inlet: Authorization: Bearer DOCTOR_ALERT_TOKEN"
  authorization_type = "API_KEY"

  auth_parameters {
    api_key {
      key   = "Authorization"
      value = "Bearer ${var.doctor_alert_token}"
    }
  }

  lifecycle {
    precondition {
      condition     = var.doctor_alert_token != null && var.doctor_url != null
      error_message = "enable_alarms needs doctor_url and doctor_alert_token (the doctor's DOCTOR_ALERT_TOKEN)."
    }
  }
}

resource "aws_cloudwatch_event_api_destination" "doctor" {
  count                            = local.alarms
  name                             = "${var.alarm_name_prefix}-doctor-alerts"
  description                      = "POST alarm state changes to Cloud Doctor"
  invocation_endpoint              = local.alerts_endpoint
  http_method                      = "POST"
  invocation_rate_limit_per_second = var.alerts_invocation_rate_limit_per_second
  connection_arn                   = aws_cloudwatch_event_connection.doctor[0].arn
}

# Events EventBridge could not deliver within the retry policy: kept 14 days for a replay.
resource "aws_sqs_queue" "alerts_dlq" {
  count                     = local.alarms
  name                      = "${var.alarm_name_prefix}-alerts-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue_policy" "alerts_dlq" {
  count     = local.alarms
  queue_url = aws_sqs_queue.alerts_dlq[0].id
  policy = templatefile("${local.policies_dir}/alarm-dlq.json.tftpl", {
    queue_arn = aws_sqs_queue.alerts_dlq[0].arn
    rule_arn  = aws_cloudwatch_event_rule.alarm_state[0].arn
  })
}

# The role EventBridge assumes to call the API destination: that one destination, nothing else.
resource "aws_iam_role" "alert_target" {
  count                = local.alarms
  name                 = "${var.alarm_name_prefix}-alerts-invoke"
  description          = "EventBridge: invoke the Cloud Doctor API destination only"
  max_session_duration = 3600
  assume_role_policy = templatefile("${local.policies_dir}/alarm-target-trust.json.tftpl", {
    account_id = local.account_id
  })
}

resource "aws_iam_role_policy" "alert_target" {
  count = local.alarms
  name  = "invoke-doctor-api-destination"
  role  = aws_iam_role.alert_target[0].id
  policy = templatefile("${local.policies_dir}/alarm-target.json.tftpl", {
    api_destination_arn = aws_cloudwatch_event_api_destination.doctor[0].arn
  })
}

resource "aws_cloudwatch_event_target" "doctor" {
  count     = local.alarms
  rule      = aws_cloudwatch_event_rule.alarm_state[0].name
  target_id = "cloud-doctor"
  arn       = aws_cloudwatch_event_api_destination.doctor[0].arn
  role_arn  = aws_iam_role.alert_target[0].arn

  retry_policy {
    maximum_event_age_in_seconds = var.alerts_max_event_age_seconds
    maximum_retry_attempts       = var.alerts_max_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.alerts_dlq[0].arn
  }

  # The queue must accept the rule's messages before the first event can fail.
  depends_on = [aws_sqs_queue_policy.alerts_dlq]
}
