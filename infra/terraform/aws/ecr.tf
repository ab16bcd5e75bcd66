resource "aws_ecr_repository" "chaos_app" {
  name = var.ecr_repository_name
  # A tag always names the image that was tested: pushing the same tag twice fails.
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "chaos_app" {
  repository = aws_ecr_repository.chaos_app.name
  policy = templatefile("${local.policies_dir}/ecr-lifecycle.json.tftpl", {
    keep_images          = var.ecr_keep_images
    untagged_expire_days = var.ecr_untagged_expire_days
  })
}
