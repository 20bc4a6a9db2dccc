render_timeout    = 900
thumbnail_timeout = 900
ocr_timeout       = 120
