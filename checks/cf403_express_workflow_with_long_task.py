from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from computefit import facts, stepfunctions
from computefit import model as m
from computefit.check import ERROR, HIGH, Check, CheckContext, Finding, Violation, setting_evidence

_PATTERN_WORDS = {
    "sync": "waits for the job to finish (.sync, Run a Job)",
    "callback": "waits for a task token (.waitForTaskToken, Wait for Callback)",
}


@dataclass
class LongStep:
    state: str  # the state's path in the definition
    kind: str  # "sync", "callback", "timeout", "wait", "machine-timeout"
    detail: str
    value: Any = None
    express_child: bool = False


@dataclass
class ExpressTooLong(Violation):
    workflow_type: m.Setting | None
    definition: stepfunctions.Definition
    steps: list[LongStep] = field(default_factory=list)
    express_machine: bool = True


_seconds = stepfunctions.seconds


class ExpressWorkflowWithLongTask(Check):
    """
    ## What it does
    Reads the definition of every Step Functions state machine of type `EXPRESS`
    (`StateMachineType` / SAM `Type` / Terraform `type`, and the terraform-aws-modules
    step-functions module's `type`) and reports the states an Express workflow cannot run:

    - a Task whose `Resource` ends in `.sync` (`.sync:2`): Run a Job, which waits for the job;
    - a Task whose `Resource` ends in `.waitForTaskToken`: Wait for Callback;
    - a `TimeoutSeconds` above 300 on a state or on the whole machine, and a Wait state longer
      than 300 s: an Express execution runs for at most five minutes;
    - a Task that invokes a Lambda function of the scanned code whose timeout is above 300 s,
      without a `TimeoutSeconds` of 300 or less: the function may run past the execution's end.

    Definitions are read from `Definition`, `DefinitionString` (with `DefinitionSubstitutions`),
    a SAM `DefinitionUri` local file (JSON or YAML, inside the template's repository or folder),
    and Terraform `definition` written with `jsonencode()`, `templatefile()`, `file()` or a
    heredoc. Nested states count: Parallel branches and Map `ItemProcessor` / `Iterator`. A
    Distributed Map whose `ProcessorConfig.ExecutionType` is `EXPRESS` runs each iteration as an
    Express child workflow, so its states are held to the same limits even in a Standard machine.

    Standard machines, and Express machines whose tasks are request-response within 300 s, are
    not reported. A definition that cannot be read (in S3, built at deploy time) or a type that
    cannot be resolved is not judged.

    ## Why is this bad?
    Express workflows support only the Request Response integration pattern: Step Functions
    rejects a definition with `.sync` or `.waitForTaskToken` in an Express machine, so the
    deployment fails. An Express execution also ends after five minutes, so a task allowed
    longer (a 900 s timeout, a 10-minute wait) is cut off mid-way, and because Express runs are
    at-least-once, a retried execution repeats the work.

    ## Example
    ```yaml
    ExportFlow:
      Type: AWS::StepFunctions::StateMachine
      Properties:
        StateMachineType: EXPRESS
        Definition:
          StartAt: Export
          States:
            Export:
              Type: Task
              Resource: arn:aws:states:::ecs:runTask.sync     # waits for the task
              End: true
    ```
    ```hcl
    resource "aws_sfn_state_machine" "export" {
      type       = "EXPRESS"
      definition = jsonencode({
        StartAt = "Export"
        States  = { Export = { Type = "Task", Resource = "arn:aws:states:::batch:submitJob.sync", End = true } }
      })
    }
    ```

    ## Use instead
    Make the machine `STANDARD` (up to a year, exactly-once, `.sync` and callbacks), or keep the
    Express workflow short: start the job request-response (`arn:aws:states:::ecs:runTask`, no
    `.sync`) and react to its completion event, or start a Standard workflow for the long part.
    For a Distributed Map, set `ProcessorConfig.ExecutionType` to `STANDARD`.

    ## References
    - [Service integration patterns](https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html) ("Express Workflows only support Request Response")
    - [Choosing workflow type](https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html) (Express: up to five minutes, at-least-once)
    - [Distributed Map: ProcessorConfig](https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html)
    """

    id = "CF403"
    name = "express-workflow-with-long-task"
    severity = ERROR
    summary = "Express state machine using .sync or .waitForTaskToken, or a state allowed more than Express's 5 minutes"

    tags = ("aws", "step-functions", "express", "timeout", "correctness")
    applies_to = ("state_machine",)

    def detect(self, res: m.Resource, ctx: CheckContext) -> Iterable[ExpressTooLong]:
        wt = res.setting("workflow_type")
        wtype = wt.value.upper() if wt is not None and isinstance(wt.value, str) else None
        if wt is not None and wtype is None:
            return  # the type could not be resolved: not judged
        express = wtype == "EXPRESS"
        defn = stepfunctions.definition(res)
        if defn is None or not isinstance(defn.doc, dict):
            return
        limit = float(facts.value("stepfunctions.express_max_duration"))
        steps: list[LongStep] = []
        top = _seconds(defn.doc.get("TimeoutSeconds"))
        if express and top is not None and top > limit:
            steps.append(LongStep("(the whole machine)", "machine-timeout",
                                  f"the whole machine has TimeoutSeconds {top:g}", top))
        invoked = self._invoked_functions(res, ctx)
        for ref in stepfunctions.states(defn.doc):
            if not (express or ref.express_child):
                continue
            st = ref.state
            kind = st.get("Type")
            fn = invoked.get(ref.path)
            timeout = _seconds(st.get("TimeoutSeconds"))
            if kind == "Task" and fn is not None and timeout is None:  # a longer TimeoutSeconds is reported below
                ft = fn.setting(m.TIMEOUT)
                if ft is not None and isinstance(ft.value, (int, float)) and not isinstance(ft.value, bool) \
                        and ft.value > limit:
                    steps.append(LongStep(ref.path, "function-timeout",
                                          f"invokes {fn.name}, whose timeout is {ft.value:g} s "
                                          f"({ft.describe_origin()})", ft.value, ref.express_child))
            if kind == "Task":
                pattern = stepfunctions.integration_pattern(st.get("Resource"))
                if pattern:
                    steps.append(LongStep(ref.path, pattern, f"calls {st.get('Resource')}, which "
                                          f"{_PATTERN_WORDS[pattern]}", st.get("Resource"), ref.express_child))
            timeout = _seconds(st.get("TimeoutSeconds"))
            if timeout is not None and timeout > limit:
                steps.append(LongStep(ref.path, "timeout", f"has TimeoutSeconds {timeout:g}", timeout,
                                      ref.express_child))
            wait = _seconds(st.get("Seconds")) if kind == "Wait" else None
            if wait is not None and wait > limit:
                steps.append(LongStep(ref.path, "wait", f"waits {wait:g} s", wait, ref.express_child))
        if steps:
            yield ExpressTooLong(res, wt, defn, steps, express)

    @staticmethod
    def _invoked_functions(res: m.Resource, ctx: CheckContext) -> dict[str, m.ComputeUnit]:
        """The functions of the scanned code the machine's Task states invoke, by state path."""
        out: dict[str, m.ComputeUnit] = {}
        for unit in ctx.model.units_of(m.LAMBDA_FUNCTION):
            for t in unit.triggers_of(m.STEP_FUNCTIONS):
                states = t.settings.get(m.TASK_STATES)
                if t.via is res and states is not None and isinstance(states.value, list):
                    for path in states.value:
                        out.setdefault(path, unit)
        return out

    def explain(self, v: ExpressTooLong, ctx: CheckContext) -> Finding:
        res = v.subject
        limit = int(facts.value("stepfunctions.express_max_duration"))
        fact = facts.fact("stepfunctions.express_max_duration")
        waits = [s for s in v.steps if s.kind in ("sync", "callback")]
        long = [s for s in v.steps if s not in waits]
        if v.express_machine:
            where = (f"type EXPRESS ({v.workflow_type.describe_origin()})" if v.workflow_type is not None
                     else "type EXPRESS")
            head = f"{res.name} is a Step Functions state machine of {where}"
        else:
            head = (f"{res.name} runs Express child workflows (a Distributed Map with ProcessorConfig "
                    "ExecutionType EXPRESS)")
        parts = []
        if waits:
            parts.append("; ".join(f"state {s.state} {s.detail}" for s in waits)
                         + ": Express workflows support only request-response integrations, so Step Functions "
                         "rejects this definition and the deployment fails")
        if long:
            parts.append("; ".join(f"state {s.state} {s.detail}" if not s.kind.startswith("machine")
                                   else s.detail for s in long)
                         + f": an Express execution runs for at most {limit} s, so the work is cut off "
                         "mid-way (and Express runs at least once, so a retry repeats it)")
        message = f"{head}, but in its {v.definition.source}, " + ". Also, ".join(parts) + "."
        if v.express_machine:
            rec = ("Make it a STANDARD workflow (StateMachineType / SAM Type / Terraform type = STANDARD): it runs "
                   "up to a year, exactly once, and supports .sync and callbacks. If it must stay Express (high "
                   "volume, synchronous StartSyncExecution), keep it short: start the job request-response (the "
                   "Resource without .sync) and react to its completion event, or start a Standard workflow "
                   "for the long part.")
        else:
            rec = ("Set the Distributed Map's ProcessorConfig.ExecutionType to STANDARD, so that each child "
                   "workflow can wait for its job and run longer than five minutes.")
        if any(s.kind == "function-timeout" for s in v.steps):
            rec += (f" For a function that never needs more than {limit} s, lower its timeout (and the Task's "
                    f"TimeoutSeconds) to {limit} s or less.")
        evidence = {
            "workflow_type": setting_evidence(v.workflow_type) if v.workflow_type is not None
            else {"value": "STANDARD", "set_by": "AWS default (not set in the source)"},
            "definition": {"source": v.definition.source,
                           **({"at": str(v.definition.setting.location)}
                              if v.definition.setting is not None and v.definition.setting.location else {})},
            "express_max_duration_seconds": limit,
            "limit_source": fact.cite(),
            "states": [{"state": s.state, "problem": s.kind, "detail": s.detail,
                        **({"express_child_workflow": True} if s.express_child else {})} for s in v.steps],
        }
        if res.notes:
            evidence["notes"] = list(res.notes)
        return self.finding(res, message, rec, at=v.definition.setting, severity=ERROR, confidence=HIGH,
                            evidence=evidence)
