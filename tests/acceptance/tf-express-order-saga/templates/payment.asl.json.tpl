{
  "Comment": "Capture a payment by running the payments workflow and waiting for it",
  "StartAt": "Capture",
  "States": {
    "Capture": {
      "Type": "Task",
      "Resource": "arn:aws:states:::states:startExecution.sync:2",
      "Parameters": {
        "StateMachineArn": "${payments_workflow_arn}",
        "Input.$": "$"
      },
      "End": true
    }
  }
}
