[
  {
    "name": "report-mailer",
    "image": "${image}",
    "essential": true,
    "command": [
      "/bin/bash",
      "-c",
      "while true; do python3 /app/send_scheduled_reports.py --smtp ${smtp_host} || echo 'run failed'; sleep 3600; done"
    ],
    "logConfiguration": {
      "logDriver": "awslogs",
      "options": {
        "awslogs-group": "${log_group}",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "report-mailer"
      }
    }
  }
]
