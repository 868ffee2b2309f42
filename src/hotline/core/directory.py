"""Directory and presence commands: queues, workflows, agents; log in, presence, log out.

The engine's first layer of handlers (``Engine`` adds the contact and timer commands).
"""

from __future__ import annotations

from hotline.core import events as ev
from hotline.core.commands import (
    DefineQueue,
    DefineWorkflow,
    LogIn,
    LogOut,
    RegisterAgent,
    SetPresence,
    UpdateAgent,
)
from hotline.core.definitions import AgentProfile, QueueSpec
from hotline.core.errors import DuplicateItem, IllegalState, InvalidDefinition, UnknownItem
from hotline.core.expressions import compile_expression
from hotline.core.live import OFFLINE, RESERVED, WRAP_UP, AgentState, Contact
from hotline.core.routing import Router


def check_id(value: str, field: str) -> None:
    """Ids are 1–128 printable characters (timer keys use a control character as separator)."""
    if not isinstance(value, str) or not value or len(value) > 128:
        raise InvalidDefinition(field, "must be 1–128 characters")
    if not value.isprintable():
        raise InvalidDefinition(field, "must be printable (no control characters)")



class DirectoryHandlers(Router):
    """Handlers of the directory and presence commands, and the lookups every handler uses."""

    # --- lookups that raise typed errors -----------------------------------------------------
    def _agent(self, agent_id: str) -> AgentState:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise UnknownItem("agent", agent_id)
        return agent

    def _logged_in(self, agent_id: str) -> AgentState:
        agent = self._agent(agent_id)
        if agent.presence == OFFLINE:
            raise IllegalState(f"agent '{agent_id}' is not logged in")
        return agent

    def _contact(self, contact_id: str, *states: str) -> Contact:
        contact = self.contacts.get(contact_id)
        if contact is None:
            raise UnknownItem("contact", contact_id)
        if states and contact.state not in states:
            raise IllegalState(
                f"contact '{contact_id}' is {contact.state}, expected {' or '.join(states)}")
        return contact

    # --- directory ---------------------------------------------------------------------------
    def _on_DefineQueue(self, c: DefineQueue) -> None:
        spec: QueueSpec = c.queue
        check_id(spec.name, "queue.name")
        if spec.name.startswith("@"):
            raise InvalidDefinition("queue.name", "must not start with '@' (agents' own queues)")
        compile_expression(spec.expression, f"queue '{spec.name}'.expression")
        if spec.priority_weight_s < 0:
            raise InvalidDefinition(f"queue '{spec.name}'.priority_weight_s", "must be ≥ 0")
        self._emit(ev.QueueDefined(
            at=self._now, queue=spec.name, expression=spec.expression,
            ordering=spec.ordering.value, selection=spec.selection.value,
            priority_weight_s=spec.priority_weight_s, proficiency_skill=spec.proficiency_skill,
            site=spec.site))
        for agent_id in sorted(self.queues[spec.name].members):
            self._after_release(self.agents[agent_id])

    def _on_DefineWorkflow(self, c: DefineWorkflow) -> None:
        wf = c.workflow
        check_id(wf.name, "workflow.name")
        wf.validate()
        seen: set[str] = set()
        for i, step in enumerate(wf.steps):
            if step.queue not in self.queues or step.queue.startswith("@"):
                raise UnknownItem("queue", step.queue)
            if step.queue in seen:
                raise InvalidDefinition(f"workflow '{wf.name}'.steps[{i}].queue",
                                        f"queue '{step.queue}' appears twice")
            seen.add(step.queue)
        self._emit(ev.WorkflowDefined(
            at=self._now, workflow=wf.name,
            steps=tuple((s.queue, s.timeout_s) for s in wf.steps),
            fallback=wf.fallback.value if wf.fallback else None, wrap_up_s=wf.wrap_up_s))

    def _profile_event(self, p: AgentProfile, cls: type[ev.AgentRegistered]
                       ) -> ev.AgentRegistered:
        check_id(p.agent_id, "agent_id")
        p.validate()
        return cls(at=self._now, agent_id=p.agent_id, site=p.site, skills=dict(p.skills),
                   languages=tuple(sorted(p.languages)), capacity=dict(p.capacity),
                   attributes=dict(p.attributes),  # type: ignore[arg-type]
                   auto_accept=p.auto_accept)

    def _on_RegisterAgent(self, c: RegisterAgent) -> None:
        if c.profile.agent_id in self.agents:
            raise DuplicateItem("agent", c.profile.agent_id)
        self._emit(self._profile_event(c.profile, ev.AgentRegistered))

    def _on_UpdateAgent(self, c: UpdateAgent) -> None:
        agent = self._agent(c.profile.agent_id)
        self._emit(self._profile_event(c.profile, ev.AgentUpdated))
        self._after_release(agent)

    # --- presence ----------------------------------------------------------------------------
    def _on_LogIn(self, c: LogIn) -> None:
        agent = self._agent(c.agent_id)
        if agent.presence != OFFLINE:
            raise IllegalState(f"agent '{c.agent_id}' is already logged in")
        self._emit(ev.AgentLoggedIn(at=self._now, agent_id=agent.id, ready=c.ready,
                                    reason="" if c.ready else "logged_in"))
        if c.ready:
            self._refresh_agent(agent)

    def _on_SetPresence(self, c: SetPresence) -> None:
        agent = self._logged_in(c.agent_id)
        if agent.pending_logout:
            raise IllegalState(f"agent '{c.agent_id}' is logging out")
        self._emit(ev.PresenceChanged(at=self._now, agent_id=agent.id, ready=c.ready,
                                      reason="" if c.ready else (c.reason or "not_ready")))
        if c.ready:
            self._refresh_agent(agent)
        else:
            self._revoke_offers(agent, "not_ready")

    def _on_LogOut(self, c: LogOut) -> None:
        agent = self._logged_in(c.agent_id)
        staying = [leg for leg in agent.legs()
                   if leg.activity != RESERVED and not (c.force and leg.activity == WRAP_UP)]
        if staying and not agent.pending_logout:
            # Leaving first, so nothing new is offered while the open work is settled.
            self._emit(ev.AgentLogoutRequested(at=self._now, agent_id=agent.id))
        self._revoke_offers(agent, "logged_out")
        if c.force:
            for leg in agent.legs():
                if leg.activity == WRAP_UP:
                    self._finish_wrap_up(agent, leg.contact_id, "forced_logout", "", False,
                                         route=False)
        if agent.total == 0 and agent.presence != OFFLINE:
            self._emit(ev.AgentLoggedOut(at=self._now, agent_id=agent.id))

