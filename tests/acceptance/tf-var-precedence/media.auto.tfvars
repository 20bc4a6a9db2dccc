# Loaded after terraform.tfvars
thumbnail_timeout = 90
ocr_timeout       = 800
