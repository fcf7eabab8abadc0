"""A memo that a clerk submits and the legal office approves or returns (test fixture)."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from fazhi.core.workflow import Action, Guard, Workflow, WorkflowModel, countersign_agreed_guard


class Memo(WorkflowModel):
    class State(models.TextChoices):
        DRAFT = "draft", "起草"  # the clerk writes
        CONSULTING = "consulting", "会签中"  # departments give opinions
        SUBMITTED = "submitted", "待审核"  # waits for the legal office
        APPROVED = "approved", "已通过"  # final

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_count = models.PositiveIntegerField(default=0)

    has_body = Guard(lambda memo: bool(memo.body.strip()), "正文不能为空。", "body_required")

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.CONSULTING,
        permission="workflow_demo.submit_memo",
        conditions=[has_body],
    )
    def consult(self, *, actor, comment="", **data):
        """Ask departments for opinions before submitting."""

    @transition(
        field=state,
        source=[State.DRAFT],
        target=State.SUBMITTED,
        permission="workflow_demo.submit_memo",
        conditions=[has_body],
    )
    def submit(self, *, actor, comment="", **data):
        """Submit for review."""

    @transition(
        field=state,
        source=State.CONSULTING,
        target=State.SUBMITTED,
        permission="workflow_demo.submit_memo",
        conditions=[countersign_agreed_guard()],
    )
    def submit_after_consulting(self, *, actor, comment="", **data):
        """Submit once the departments agreed."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission="workflow_demo.review_memo",
    )
    def approve(self, *, actor, comment="", **data):
        """Approve."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.DRAFT,
        permission="workflow_demo.review_memo",
    )
    def send_back(self, *, actor, comment="", **data):
        """Return to the drafter (驳回)."""
        self.returned_count += 1

    workflow = Workflow(
        actions=[
            Action("consult", "发起会签"),
            Action("submit", "提交"),
            Action("submit_after_consulting", "会签后提交"),
            Action("approve", "通过"),
            Action("send_back", "驳回", comment_required=True, kind="return"),
        ],
        withdrawable=frozenset({"submit"}),
        transferable_states=frozenset({"draft"}),
        urgeable_states=frozenset({"submitted"}),
        can_urge=lambda memo, user: user.has_perm("workflow_demo.submit_memo", memo),
        can_receive=lambda memo, user: user.has_perm("workflow_demo.submit_memo", memo),
    )

    def __str__(self) -> str:
        return self.title
