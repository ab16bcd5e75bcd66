# --- the patient: chaos-app on EC2, its image and its logs

variable "region" {
  description = "AWS region of the patient and its logs."
  type        = string
  default     = "us-east-1"
}

variable "log_group_name" {
  description = "CloudWatch Logs group the chaos-app container writes to (the doctor's default group)."
  type        = string
  default     = "/aws/ec2/chaos-app"
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the patient's events."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, …)."
  }
}

variable "ecr_repository_name" {
  description = "ECR repository for the chaos-app image."
  type        = string
  default     = "chaos-app"
}

variable "ecr_keep_images" {
  description = "The ECR lifecycle policy keeps this many most recent images and expires older ones."
  type        = number
  default     = 10
}

variable "ecr_untagged_expire_days" {
  description = "Untagged images (replaced pushes) expire this many days after they were pushed."
  type        = number
  default     = 7
}

variable "image_tag" {
  description = "Tag of the chaos-app image in ECR that the instance runs. Tags are immutable: push a new tag per release."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "instance_type" {
  description = "EC2 instance type. Graviton types (t4g.*) get the arm64 AMI: push an arm64 image then."
  type        = string
  default     = "t3.micro"
}

variable "subnet_id" {
  description = "Subnet for the instance; it needs outbound HTTPS (public IP or NAT). Default: a default subnet of the default VPC."
  type        = string
  default     = null
}

variable "key_name" {
  description = "EC2 key pair for SSH. None by default: the instance has no inbound rule at all (use SSM, see enable_ssm)."
  type        = string
  default     = null
}

variable "enable_ssm" {
  description = "Attach AmazonSSMManagedInstanceCore to the instance role (Session Manager shell). Off: the role then only writes its log group and pulls its image."
  type        = bool
  default     = false
}

variable "instance_role_name" {
  description = "Name of the EC2 instance role (and its instance profile)."
  type        = string
  default     = "chaos-app-instance"
}

variable "chaos_app_args" {
  description = "Arguments of the chaos-app container (its entrypoint is `chaos-app`)."
  type        = list(string)
  default     = ["run", "--scenario", "all", "--rate", "2"]

  validation {
    condition     = alltrue([for arg in var.chaos_app_args : can(regex("^[A-Za-z0-9_.,=:/+-]+$", arg))])
    error_message = "chaos_app_args are passed to a shell unquoted: letters, digits and _.,=:/+- only."
  }
}

variable "log_format" {
  description = "json (one event per line, the default) or text (each software's own format; stack traces span lines and are joined by the awslogs multiline pattern)."
  type        = string
  default     = "json"

  validation {
    condition     = contains(["json", "text"], var.log_format)
    error_message = "log_format must be json or text."
  }
}

# --- the doctor's role: assumed from GCP with a Google-signed ID token

variable "doctor_role_name" {
  description = "Name of the role the doctor assumes. infra/terraform/gcp builds AWS_ROLE_ARN from it: keep both equal."
  type        = string
  default     = "cloud-doctor"
}

variable "google_service_account_unique_id" {
  description = "Numeric unique id of the doctor's GCP service account (output service_account_unique_id of infra/terraform/gcp). Not the email: Google ID tokens carry the id in sub and azp."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{10,32}$", var.google_service_account_unique_id))
    error_message = "google_service_account_unique_id is the service account's numeric unique id (digits only), not its email."
  }
}

variable "token_audience" {
  description = "Audience the doctor requests for its ID token (DOCTOR_TOKEN_AUDIENCE); the trust policy requires it as accounts.google.com:oaud."
  type        = string
  default     = "sts.amazonaws.com/cloud-doctor"

  validation {
    condition     = can(regex("^[A-Za-z0-9:/._-]+$", var.token_audience))
    error_message = "token_audience: letters, digits and :/._- only."
  }
}

variable "doctor_allowed_log_groups" {
  description = "Log groups the doctor may read (DOCTOR_ALLOWED_LOG_GROUPS). Empty: only log_group_name."
  type        = list(string)
  default     = []
}

variable "doctor_can_list_log_groups" {
  description = "Also allow logs:DescribeLogGroups. It cannot be scoped below account and region (it lists every group's name) and the doctor does not need it, so it is off."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default = {
    project    = "cloud-doctor"
    managed-by = "terraform"
  }
}

# --- alarms: error lines → CloudWatch alarm → EventBridge → the doctor's POST /alerts/aws

variable "enable_alarms" {
  description = "Create the alarm path (metric filter, alarm, EventBridge rule, connection, API destination, DLQ, role). Off by default: it needs doctor_url and doctor_alert_token."
  type        = bool
  default     = false
}

variable "doctor_url" {
  description = "Base HTTPS URL of the doctor (output service_url of infra/terraform/gcp); alarms are POSTed to <doctor_url>/alerts/aws."
  type        = string
  default     = null

  validation {
    condition     = var.doctor_url == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$", var.doctor_url))
    error_message = "doctor_url must be an https:// URL without query or fragment (EventBridge API destinations call HTTPS endpoints only)."
  }
}

variable "doctor_alert_token" {
  description = "The doctor's DOCTOR_ALERT_TOKEN, sent as Authorization: Bearer <token>. Sensitive, but it is stored in the Terraform state (the connection's auth parameters): keep the state private."
  type        = string
  default     = null
  sensitive   = true

  validation {
    # "Bearer " + token fits EventBridge's 512-character API key value; no spaces or controls.
    # The doctor's own rules too: at least 8 distinct characters of at least 2 classes.
    condition = var.doctor_alert_token == null || (
      can(regex("^[A-Za-z0-9._~+/=-]{32,505}$", var.doctor_alert_token)) && try(
        length(distinct(split("", var.doctor_alert_token))) >= 8 &&
        length([for class in ["[a-z]", "[A-Z]", "[0-9]", "[^A-Za-z0-9]"] : class if can(regex(class, var.doctor_alert_token))]) >= 2,
        false
      )
    )
    error_message = "doctor_alert_token: 32 to 505 characters of A-Z a-z 0-9 . _ ~ + / = -, at least 8 distinct ones of 2 kinds (e.g. openssl rand -hex 32)."
  }
}

variable "alarm_name_prefix" {
  description = "Prefix of the alarm path's resource names."
  type        = string
  default     = "cloud-doctor"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.alarm_name_prefix))
    error_message = "alarm_name_prefix: 1 to 40 letters, digits, _ or -."
  }
}

variable "alarm_filter_pattern" {
  description = "CloudWatch Logs filter pattern of an error line. Default (null): chosen by log_format (alarms.tf documents both)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_filter_pattern == null || try(length(trimspace(var.alarm_filter_pattern)) > 0 && length(var.alarm_filter_pattern) <= 1024, false)
    error_message = "alarm_filter_pattern must be non-empty (an empty pattern matches every line) and at most 1024 characters."
  }
}

variable "alarm_metric_namespace" {
  description = "CloudWatch namespace of the error-line metric."
  type        = string
  default     = "CloudDoctor"

  validation {
    condition     = can(regex("^[A-Za-z0-9./_#-]{1,255}$", var.alarm_metric_namespace)) && !startswith(var.alarm_metric_namespace, "AWS/")
    error_message = "alarm_metric_namespace: 1 to 255 of A-Z a-z 0-9 . / _ # -, not in the reserved AWS/ namespaces."
  }
}

variable "alarm_metric_name" {
  description = "Name of the error-line metric."
  type        = string
  default     = "PatientErrorLines"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.alarm_metric_name))
    error_message = "alarm_metric_name: 1 to 255 of A-Z a-z 0-9 . _ -."
  }
}

variable "alarm_threshold" {
  description = "The alarm fires when a period holds at least this many error lines."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_threshold >= 1
    error_message = "alarm_threshold must be at least 1 error line."
  }
}

variable "alarm_period_seconds" {
  description = "Length of one evaluation period. Metric-filter metrics have one-minute resolution: a multiple of 60."
  type        = number
  default     = 60

  validation {
    condition     = var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0 && var.alarm_period_seconds <= 86400
    error_message = "alarm_period_seconds must be a multiple of 60 between 60 and 86400."
  }
}

variable "alarm_evaluation_periods" {
  description = "Consecutive breaching periods before ALARM (and healthy ones before OK)."
  type        = number
  default     = 2

  validation {
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 1440 && floor(var.alarm_evaluation_periods) == var.alarm_evaluation_periods
    error_message = "alarm_evaluation_periods must be a whole number from 1 to 1440."
  }
}

variable "alerts_invocation_rate_limit_per_second" {
  description = "At most this many POSTs per second to the doctor (API destination rate limit); excess events wait in EventBridge."
  type        = number
  default     = 10

  validation {
    condition     = var.alerts_invocation_rate_limit_per_second >= 1 && var.alerts_invocation_rate_limit_per_second <= 300 && floor(var.alerts_invocation_rate_limit_per_second) == var.alerts_invocation_rate_limit_per_second
    error_message = "alerts_invocation_rate_limit_per_second must be a whole number from 1 to 300."
  }
}

variable "alerts_max_event_age_seconds" {
  description = "EventBridge stops retrying an alarm event this old and sends it to the dead-letter queue."
  type        = number
  default     = 3600

  validation {
    condition     = var.alerts_max_event_age_seconds >= 60 && var.alerts_max_event_age_seconds <= 86400 && floor(var.alerts_max_event_age_seconds) == var.alerts_max_event_age_seconds
    error_message = "alerts_max_event_age_seconds must be a whole number from 60 to 86400."
  }
}

variable "alerts_max_retry_attempts" {
  description = "Retries of a failed delivery (5xx, 429, timeouts) before the dead-letter queue."
  type        = number
  default     = 20

  validation {
    condition     = var.alerts_max_retry_attempts >= 0 && var.alerts_max_retry_attempts <= 185 && floor(var.alerts_max_retry_attempts) == var.alerts_max_retry_attempts
    error_message = "alerts_max_retry_attempts must be a whole number from 0 to 185."
  }
}
