# --- GCP

variable "project_id" {
  description = "GCP project of the doctor (also GCP_PROJECT_ID: Gemini runs on Vertex AI in it)."
  type        = string
}

variable "region" {
  description = "Region of Cloud Run and Artifact Registry."
  type        = string
  default     = "us-central1"
}

variable "vertex_location" {
  description = "GCP_LOCATION: Vertex AI location for Gemini (global serves the Gemini 3 models; or a multi-region)."
  type        = string
  default     = "global"
}

variable "gemini_model" {
  description = "GEMINI_MODEL: a current GA Gemini Flash model (gemini-2.5-flash is retired)."
  type        = string
  default     = "gemini-3.8-flash"
}

variable "doctor_engine" {
  description = "DOCTOR_ENGINE: auto (Gemini, rules as fallback), gemini or rules."
  type        = string
  default     = "auto"

  validation {
    condition     = contains(["auto", "gemini", "rules"], var.doctor_engine)
    error_message = "doctor_engine must be auto, gemini or rules."
  }
}

variable "service_name" {
  description = "Cloud Run service name."
  type        = string
  default     = "cloud-doctor"
}

variable "service_account_id" {
  description = "Account id of the doctor's service account (its email is <id>@<project>.iam.gserviceaccount.com)."
  type        = string
  default     = "cloud-doctor"
}

variable "artifact_repository_id" {
  description = "Artifact Registry Docker repository of the doctor image."
  type        = string
  default     = "cloud-doctor"
}

variable "artifact_keep_images" {
  description = "The cleanup policy keeps this many most recent versions of each image."
  type        = number
  default     = 10
}

variable "image_tag" {
  description = "Tag of the cloud-doctor image in Artifact Registry (tags are immutable: a new tag per release)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "min_instances" {
  description = "Minimum Cloud Run instances. 0 scales to zero (cheapest; the first request after idle waits for a cold start). 1 keeps one warm: Slack wants its answer within 3 s."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Maximum Cloud Run instances (caps cost and the rate of Gemini calls)."
  type        = number
  default     = 3
}

variable "cpu" {
  description = "vCPUs per instance."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory per instance."
  type        = string
  default     = "512Mi"
}

variable "allow_unauthenticated" {
  description = "Grant roles/run.invoker to allUsers. Slack's servers must reach /slack/events and carry no Google identity; the API is still protected by its bearer token (DOCTOR_API_TOKEN) and Slack requests by their signature. Set false to require IAM-authenticated callers (Slack commands then cannot reach the service)."
  type        = bool
  default     = true
}

variable "enable_slack" {
  description = "Create the Slack secrets and pass them to the service. Their versions must exist before the service is deployed."
  type        = bool
  default     = true
}

variable "enable_alerts" {
  description = "Create the DOCTOR_ALERT_TOKEN secret (cloud-doctor-alert-token) and pass it to the service: the bearer token of POST /alerts/aws, which the EventBridge connection of infra/terraform/aws (enable_alarms, doctor_alert_token) sends. Off by default like enable_alarms there: unset, the route is closed (503). Its version must exist before the service is deployed."
  type        = bool
  default     = false
}

variable "slack_channel" {
  description = "SLACK_CHANNEL: default channel for posted diagnoses (empty: none)."
  type        = string
  default     = ""
}

variable "deletion_protection" {
  description = "Refuse to destroy the Cloud Run service from Terraform."
  type        = bool
  default     = false
}

variable "labels" {
  description = "Labels on the resources that take them."
  type        = map(string)
  default = {
    project    = "cloud-doctor"
    managed-by = "terraform"
  }
}

# --- AWS: where the patient's logs are (infra/terraform/aws)

variable "aws_account_id" {
  description = "AWS account of the patient. With aws_doctor_role_name it gives AWS_ROLE_ARN, known before the AWS root is applied (the role's ARN is deterministic), so neither root waits for the other's output to be fed back."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id is the 12-digit AWS account id."
  }
}

variable "aws_partition" {
  description = "AWS partition of the account (aws, aws-us-gov, aws-cn)."
  type        = string
  default     = "aws"
}

variable "aws_doctor_role_name" {
  description = "Name of the doctor's role in AWS: doctor_role_name of infra/terraform/aws."
  type        = string
  default     = "cloud-doctor"
}

variable "aws_region" {
  description = "AWS_REGION: region of the patient's logs."
  type        = string
  default     = "us-east-1"
}

variable "aws_log_group_name" {
  description = "AWS_LOG_GROUP_NAME: the default log group."
  type        = string
  default     = "/aws/ec2/chaos-app"
}

variable "aws_allowed_log_groups" {
  description = "DOCTOR_ALLOWED_LOG_GROUPS. Empty: only aws_log_group_name. The AWS role must allow the same groups (doctor_allowed_log_groups there)."
  type        = list(string)
  default     = []
}

variable "token_audience" {
  description = "DOCTOR_TOKEN_AUDIENCE: the audience of the ID token the doctor trades for AWS credentials; the AWS trust policy requires it (accounts.google.com:oaud)."
  type        = string
  default     = "sts.amazonaws.com/cloud-doctor"

  validation {
    condition     = can(regex("^[A-Za-z0-9:/._-]+$", var.token_audience))
    error_message = "token_audience: letters, digits and :/._- only (the AWS root has the same rule)."
  }
}

# --- History, targets, report links

variable "enable_cloud_sql" {
  description = "Keep the history (DOCTOR_DATABASE_URL) in Cloud SQL for PostgreSQL. Off: a SQLite file inside each Cloud Run instance, lost when the instance goes. On: an instance, a database, a user with a generated password and the URL in Secret Manager (the password is then in the Terraform state)."
  type        = bool
  default     = false
}

variable "cloud_sql_instance_name" {
  description = "Cloud SQL instance name (a deleted instance's name cannot be reused for about a week)."
  type        = string
  default     = "cloud-doctor"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,96}[a-z0-9]$", var.cloud_sql_instance_name))
    error_message = "cloud_sql_instance_name: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "cloud_sql_database_version" {
  description = "Cloud SQL PostgreSQL major version."
  type        = string
  default     = "POSTGRES_16"

  validation {
    condition     = can(regex("^POSTGRES_[0-9]+$", var.cloud_sql_database_version))
    error_message = "cloud_sql_database_version must be POSTGRES_<major>: the doctor speaks PostgreSQL (psycopg)."
  }
}

variable "cloud_sql_tier" {
  description = "Cloud SQL machine tier (Enterprise edition). db-f1-micro (shared core) is plenty for the history; db-custom-1-3840 for a dedicated core."
  type        = string
  default     = "db-f1-micro"
}

variable "cloud_sql_database_name" {
  description = "Database of the history."
  type        = string
  default     = "cloud_doctor"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.cloud_sql_database_name))
    error_message = "cloud_sql_database_name: lower-case letters, digits and underscores (it goes into a URL unescaped)."
  }
}

variable "cloud_sql_user" {
  description = "Database user of the doctor (its password is generated)."
  type        = string
  default     = "cloud_doctor"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.cloud_sql_user))
    error_message = "cloud_sql_user: lower-case letters, digits and underscores (it goes into a URL unescaped)."
  }
}

variable "targets_toml" {
  description = "DOCTOR_TARGETS_FILE contents: the TOML naming the AWS accounts (targets) the doctor reads, e.g. file(\"targets.toml\") or the two-accounts example's doctor_targets_toml output. Empty: no file, the single target `default` from aws_* variables. Stored in Secret Manager and mounted at /etc/cloud-doctor/targets.toml."
  type        = string
  default     = ""

  validation {
    condition     = var.targets_toml == "" || trimspace(var.targets_toml) != ""
    error_message = "targets_toml is empty (blank): leave it unset, or give the TOML."
  }

  validation {
    condition     = var.targets_toml == "" || can(regex("(?m)^\\s*\\[?\\s*\"?targets\"?\\s*[.=\\]]", var.targets_toml))
    error_message = "targets_toml names no target: it needs a targets table, e.g. [targets.NAME]."
  }

  validation {
    condition     = length(var.targets_toml) <= 65536
    error_message = "targets_toml is over 64 KiB, the size limit of a Secret Manager version."
  }
}

variable "public_url" {
  description = "DOCTOR_PUBLIC_URL: base of the signed report links (the Slack \"Full report\" button). Set it to the service_url output after the first apply (the service cannot name its own URL: that would be a cycle), or to a custom domain mapped to the service. Empty: not set, Slack messages carry no report link."
  type        = string
  default     = ""

  validation {
    condition     = var.public_url == "" || can(regex("^https://[^\\s?#]+[^/\\s?#]$", var.public_url))
    error_message = "public_url must be an https:// URL without query, fragment or trailing slash (or empty)."
  }
}
