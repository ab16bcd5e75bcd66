variable "google_service_account_unique_id" {
  description = "Numeric unique id of the doctor's GCP service account (output service_account_unique_id of infra/terraform/gcp). Not the email: Google ID tokens carry the id in sub and azp. Every patient account trusts the same one."
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

variable "role_name" {
  description = "Name of the role the doctor assumes in this account (the last part of the target's role_arn)."
  type        = string
  default     = "cloud-doctor"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name: 1 to 64 of letters, digits and +=,.@_- (an IAM role name)."
  }
}

variable "log_groups" {
  description = "CloudWatch Logs groups of this account the doctor may read, and nothing else (the target's log_groups). Exact names: wildcards are refused."
  type        = list(string)

  validation {
    condition     = length(var.log_groups) > 0
    error_message = "log_groups: at least one log group (a role that may read nothing is of no use)."
  }

  validation {
    # CloudWatch Logs' own charset, the doctor's LOG_GROUP_PATTERN. No "*" or "?": in an IAM
    # Resource they would be wildcards and widen the grant beyond the named groups.
    condition     = alltrue([for name in var.log_groups : can(regex("^[.\\-_/#A-Za-z0-9]{1,512}$", name))])
    error_message = "log_groups: names of 1 to 512 letters, digits and ._-/# only (no wildcards)."
  }

  validation {
    condition     = length(distinct(var.log_groups)) == length(var.log_groups)
    error_message = "log_groups: each group once."
  }
}

variable "can_list_log_groups" {
  description = "Also allow logs:DescribeLogGroups. It cannot be scoped below account and region (it lists every group's name) and the doctor does not need it, so it is off."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags on the role (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
