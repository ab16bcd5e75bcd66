# Optional Cloud SQL for PostgreSQL: the doctor's history (DOCTOR_DATABASE_URL). Without it the
# history is a SQLite file inside the container, which on Cloud Run lives only as long as one
# instance: answers are lost on scale-in and each instance lists only its own.
#
# Cloud Run reaches the instance through its built-in Cloud SQL volume (the Cloud SQL connector,
# authorized by the service account's roles/cloudsql.client): a unix socket under
# /cloudsql/PROJECT:REGION:INSTANCE, no authorized networks, no IP in the URL.
#
# Unlike the secrets of secrets.tf, the password is generated here: it and the URL built from it
# are in the Terraform state, which must then be kept private (e.g. a GCS backend with restricted
# access). Rotate with `terraform apply -replace=random_password.database[0]`.

locals {
  cloud_sql_mount = "/cloudsql" # the only mount path Cloud Run accepts for a Cloud SQL volume
  # One connection name when enable_cloud_sql, none otherwise: run.tf mounts what is here.
  cloud_sql_connection_names = google_sql_database_instance.history[*].connection_name
}

resource "google_sql_database_instance" "history" {
  count            = var.enable_cloud_sql ? 1 : 0
  name             = var.cloud_sql_instance_name
  database_version = var.cloud_sql_database_version
  region           = var.region

  # Terraform refuses to destroy it; set false (and apply) first to really delete the history.
  deletion_protection = true

  settings {
    edition           = "ENTERPRISE" # shared-core tiers exist only in this edition
    tier              = var.cloud_sql_tier
    availability_type = "ZONAL"
    disk_type         = "PD_SSD"
    disk_size         = 10
    disk_autoresize   = true
    user_labels       = var.labels

    # The same protection on Google's side (a console or gcloud delete is refused too).
    deletion_protection_enabled = true

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }

    # Public IP without authorized networks: reachable only through the Cloud SQL connector,
    # which Cloud Run's Cloud SQL volume uses (IAM-authorized, TLS).
    ip_configuration {
      ipv4_enabled = true
      ssl_mode     = "ENCRYPTED_ONLY"
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_sql_database" "history" {
  count    = var.enable_cloud_sql ? 1 : 0
  name     = var.cloud_sql_database_name
  instance = google_sql_database_instance.history[0].name
}

# Letters and digits only: the password goes into a URL unescaped.
resource "random_password" "database" {
  count   = var.enable_cloud_sql ? 1 : 0
  length  = 32
  special = false
}

resource "google_sql_user" "doctor" {
  count    = var.enable_cloud_sql ? 1 : 0
  name     = var.cloud_sql_user
  instance = google_sql_database_instance.history[0].name
  password = random_password.database[0].result
  # PostgreSQL refuses to drop a role that owns objects; leave it with the instance.
  deletion_policy = "ABANDON"
}

# The whole DOCTOR_DATABASE_URL is the secret (it carries the password): Cloud Run reads it from
# Secret Manager, it is never a plain environment value of the service.
resource "google_secret_manager_secret" "database_url" {
  count     = var.enable_cloud_sql ? 1 : 0
  secret_id = "${var.service_name}-database-url"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "database_url" {
  count  = var.enable_cloud_sql ? 1 : 0
  secret = google_secret_manager_secret.database_url[0].id
  secret_data = format(
    "postgresql+psycopg://%s:%s@/%s?host=%s/%s",
    google_sql_user.doctor[0].name,
    random_password.database[0].result,
    google_sql_database.history[0].name,
    local.cloud_sql_mount,
    google_sql_database_instance.history[0].connection_name,
  )
}

resource "google_secret_manager_secret_iam_member" "database_url" {
  count     = var.enable_cloud_sql ? 1 : 0
  project   = var.project_id
  secret_id = google_secret_manager_secret.database_url[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.sa_member
}

# Connect through the Cloud SQL connector (the Cloud Run volume), nothing more.
resource "google_project_iam_member" "doctor_cloudsql" {
  count   = var.enable_cloud_sql ? 1 : 0
  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = local.sa_member
}
