"""Engine invariants under random use (Hypothesis state machine over random commands).

After every command: a contact never has two live reservations; no agent exceeds its capacity;
no ready agent with free capacity stays idle while an eligible contact waits; a rejected
command leaves the state unchanged; replaying the event log rebuilds the same state. At the end,
after draining, every contact has ended in exactly one terminal state.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from hotline.core import commands as cmd
from hotline.core import events as ev
from hotline.core.definitions import (
    AgentProfile,
    Fallback,
    Ordering,
    QueueSpec,
    Selection,
    Workflow,
    WorkflowStep,
)
from hotline.core.engine import Engine, EngineConfig
from hotline.core.errors import CoreError
from hotline.core.live import CONNECTED, ON_HOLD, RESERVED, WAITING, WRAP_UP
from hotline.core.state import describe

AGENTS = [
    AgentProfile(agent_id="bj1", site="beijing", skills={"cards": 5}, languages=frozenset({"zh"})),
    AgentProfile(agent_id="bj2", site="beijing", skills={"cards": 8, "email": 3},
                 capacity={"voice": 1, "email": 2}, auto_accept=True),
    AgentProfile(agent_id="sh1", site="shanghai", skills={"cards": 3}, auto_accept=True),
    AgentProfile(agent_id="sh2", site="shanghai", skills={"cards": 6, "email": 5},
                 capacity={"email": 3, "chat": 2}),
    AgentProfile(agent_id="vip", site="beijing", skills={"cards": 9, "vip": 9},
                 capacity={"voice": 1, "chat": 1}),
]
QUEUES = [
    QueueSpec(name="bj", expression='skills.cards >= 1 and site == "beijing"'),
    QueueSpec(name="sh", expression='skills.cards >= 1 and site == "shanghai"',
              selection=Selection.MOST_PROFICIENT, proficiency_skill="cards"),
    QueueSpec(name="vip", expression="skills.vip >= 1", ordering=Ordering.STRICT),
    QueueSpec(name="mail", expression="skills.email >= 1", selection=Selection.LEAST_OCCUPIED),
]
WORKFLOWS = [
    Workflow(name="north", steps=(WorkflowStep(queue="bj", timeout_s=20),
                                  WorkflowStep(queue="sh", timeout_s=60)),
             fallback=Fallback.CALLBACK, wrap_up_s=30),
    Workflow(name="vip", steps=(WorkflowStep(queue="vip", timeout_s=15),
                                WorkflowStep(queue="bj")), wrap_up_s=0),
    Workflow(name="south", steps=(WorkflowStep(queue="sh", timeout_s=40),),
             fallback=Fallback.VOICEMAIL, wrap_up_s=10),
    Workflow(name="mail", steps=(WorkflowStep(queue="mail"),), wrap_up_s=0),
]
AGENT_IDS = [a.agent_id for a in AGENTS]
QUEUE_NAMES = [q.name for q in QUEUES]


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine(EngineConfig(reservation_timeout_s=12.0))
        self.now = 1_000.0
        self.log: list[ev.Event] = []
        self.next_id = 0
        self.offered: list[str] = []
        for q in QUEUES:
            self.do(cmd.DefineQueue(queue=q))
        for w in WORKFLOWS:
            self.do(cmd.DefineWorkflow(workflow=w))
        for a in AGENTS:
            self.do(cmd.RegisterAgent(profile=a))

    def do(self, command: cmd.Command) -> None:
        before = describe(self.engine)
        try:
            events = self.engine.handle(command, self.now)
        except CoreError:
            assert describe(self.engine) == before, f"{command} changed the state and failed"
            return
        self.log.extend(events)

    def fire_due(self, until: float) -> None:
        """Advance the clock, firing every timer when it falls due, as the shell's clock does."""
        while True:
            due = sorted((d, k) for k, d in self.engine.timers.items() if d <= until)
            if not due:
                break
            at, key = due[0]
            self.now = max(self.now, at)
            self.do(cmd.TimerFired(key=key))
        self.now = until

    def contacts_in(self, *states: str) -> list[str]:
        return sorted(c.id for c in self.engine.contacts.values() if c.state in states)

    # --- rules -------------------------------------------------------------------------------
    @rule(dt=st.floats(min_value=0, max_value=25))
    def wait(self, dt: float) -> None:
        self.fire_due(self.now + dt)

    @rule(agent=st.sampled_from(AGENT_IDS), ready=st.booleans())
    def log_in(self, agent: str, ready: bool) -> None:
        self.do(cmd.LogIn(agent_id=agent, ready=ready))

    @rule(agent=st.sampled_from(AGENT_IDS), ready=st.booleans(),
          reason=st.sampled_from(["break", "lunch", ""]))
    def presence(self, agent: str, ready: bool, reason: str) -> None:
        self.do(cmd.SetPresence(agent_id=agent, ready=ready, reason=reason))

    @rule(agent=st.sampled_from(AGENT_IDS), force=st.booleans())
    def log_out(self, agent: str, force: bool) -> None:
        self.do(cmd.LogOut(agent_id=agent, force=force))

    @rule(workflow=st.sampled_from(["north", "vip", "south", "mail"]),
          channel=st.sampled_from(["voice", "voice", "email", "chat"]),
          priority=st.integers(min_value=0, max_value=5))
    def offer(self, workflow: str, channel: str, priority: int) -> None:
        if workflow == "mail":
            channel = "email"
        self.next_id += 1
        contact_id = f"c{self.next_id}"
        self.offered.append(contact_id)
        self.do(cmd.OfferContact(contact_id=contact_id, channel=channel, workflow=workflow,
                                 priority=priority, attributes={"caller_number": "1380000"}))

    @rule(data=st.data(), accept=st.booleans())
    def answer_offer(self, data: st.DataObject, accept: bool) -> None:
        live = sorted(self.engine.reservations)
        rid = data.draw(st.sampled_from(live)) if live else "nope/1"
        self.do(cmd.AcceptReservation(reservation_id=rid) if accept
                else cmd.RejectReservation(reservation_id=rid))

    @rule(data=st.data())
    def end(self, data: st.DataObject) -> None:
        live = self.contacts_in(CONNECTED, ON_HOLD, WAITING)
        if live:
            self.do(cmd.EndContact(contact_id=data.draw(st.sampled_from(live))))

    @rule(data=st.data(), disposition=st.sampled_from(["resolved", "follow-up"]))
    def complete_wrap_up(self, data: st.DataObject, disposition: str) -> None:
        legs = sorted((a.id, cid) for a in self.engine.agents.values()
                      for cid, leg in a.work.items() if leg.activity == WRAP_UP)
        agent, contact = data.draw(st.sampled_from(legs)) if legs else ("bj1", "c0")
        self.do(cmd.CompleteWrapUp(contact_id=contact, agent_id=agent,
                                   disposition=disposition))

    @rule(data=st.data(), hold=st.booleans())
    def hold_or_resume(self, data: st.DataObject, hold: bool) -> None:
        live = self.contacts_in(CONNECTED, ON_HOLD, WAITING)
        if live:
            contact = data.draw(st.sampled_from(live))
            self.do(cmd.HoldContact(contact_id=contact) if hold
                    else cmd.ResumeContact(contact_id=contact))

    @rule(data=st.data(), to_agent=st.booleans())
    def transfer(self, data: st.DataObject, to_agent: bool) -> None:
        live = self.contacts_in(CONNECTED, ON_HOLD)
        if live:
            contact = data.draw(st.sampled_from(live))
            if to_agent:
                self.do(cmd.TransferContact(contact_id=contact,
                                            to_agent=data.draw(st.sampled_from(AGENT_IDS))))
            else:
                self.do(cmd.TransferContact(contact_id=contact,
                                            to_queue=data.draw(st.sampled_from(QUEUE_NAMES))))

    @rule(data=st.data())
    def abandon(self, data: st.DataObject) -> None:
        live = self.contacts_in(WAITING, RESERVED, CONNECTED)
        if live:
            self.do(cmd.AbandonContact(contact_id=data.draw(st.sampled_from(live))))

    @rule(data=st.data())
    def callback(self, data: st.DataObject) -> None:
        live = self.contacts_in(WAITING, RESERVED)
        if live:
            self.do(cmd.RequestCallback(contact_id=data.draw(st.sampled_from(live)),
                                        number="13800000000"))

    @rule(data=st.data(), to=st.sampled_from(["voicemail", "message", "fax"]))
    def divert(self, data: st.DataObject, to: str) -> None:
        live = self.contacts_in(WAITING, CONNECTED)
        if live:
            self.do(cmd.DivertContact(contact_id=data.draw(st.sampled_from(live)), to=to))

    @rule(data=st.data(), agent=st.sampled_from(AGENT_IDS))
    def assign(self, data: st.DataObject, agent: str) -> None:
        live = self.contacts_in(WAITING, CONNECTED)
        if live:
            self.do(cmd.AssignContact(contact_id=data.draw(st.sampled_from(live)),
                                      agent_id=agent))

    # --- invariants --------------------------------------------------------------------------
    @invariant()
    def one_live_reservation_per_contact(self) -> None:
        per_contact = Counter(r.contact.id for r in self.engine.reservations.values())
        assert all(n == 1 for n in per_contact.values()), per_contact
        for c in self.engine.contacts.values():
            assert (c.state == RESERVED) == (c.reservation_id is not None)

    @invariant()
    def capacity_never_exceeded(self) -> None:
        for agent in self.engine.agents.values():
            for channel, load in agent.load.items():
                assert 0 <= load <= agent.capacity.get(channel, 0), (agent.id, channel, load)
            assert agent.total == len(agent.work)
            assert agent.exclusive <= 1

    @invariant()
    def no_idle_agent_while_eligible_contact_waits(self) -> None:
        for contact in self.engine.contacts.values():
            if contact.state != WAITING:
                continue
            for queue in contact.pool:
                for agent_id in queue.members:
                    agent = self.engine.agents[agent_id]
                    if contact.id in agent.work:
                        continue  # never offered back to the agent wrapping it up
                    assert not agent.can_take(contact.channel), (
                        f"{agent_id} could take {contact.id} from {queue.name}")

    @invariant()
    def queued_counts_the_waiting_heaps(self) -> None:
        """A freed agent passes a queue whose count is zero without looking at its heaps."""
        for q in self.engine.queues.values():
            assert q.queued == sum(len(h) for h in q.waiting.values()), q.name

    @invariant()
    def terminal_states_are_final_and_unique(self) -> None:
        ended = Counter(e.contact_id for e in self.log  # type: ignore[attr-defined]
                        if isinstance(e, ev.TERMINAL))
        assert all(n == 1 for n in ended.values()), ended
        assert not (set(ended) & set(self.engine.contacts))

    @invariant()
    def replay_rebuilds_the_same_state(self) -> None:
        replayed = Engine.replay(self.log, EngineConfig(reservation_timeout_s=12.0))
        assert describe(replayed) == describe(self.engine)

    @precondition(lambda self: True)
    @rule()
    def replayed_engine_routes_like_the_live_one(self) -> None:
        """After a rebuild (say, a restart), the same next command gives the same events."""
        replayed = Engine.replay(self.log, EngineConfig(reservation_timeout_s=12.0))
        self.next_id += 1
        probe = cmd.OfferContact(contact_id=f"probe{self.next_id}", channel="voice",
                                 workflow="north")
        live_events = self._probe(self.engine, probe)
        assert self._probe(replayed, probe) == live_events

    def _probe(self, engine: Engine, probe: cmd.OfferContact) -> list[ev.Event]:
        # Offer then abandon, so the probe leaves no trace in the live engine's future.
        cid = probe.contact_id
        events = engine.handle(probe, self.now)
        if cid in engine.contacts:
            contact = engine.contacts[cid]
            if contact.state in (WAITING, RESERVED):
                events += engine.handle(cmd.AbandonContact(contact_id=cid), self.now)
            else:
                events += engine.handle(cmd.EndContact(contact_id=cid), self.now)
                agent = engine.agents[str(contact.agent_id)]
                if cid in agent.work:
                    events += engine.handle(cmd.CompleteWrapUp(contact_id=cid,
                                                               agent_id=agent.id), self.now)
        if engine is self.engine:
            self.log.extend(events)
            self.offered.append(cid)
        return events

    def teardown(self) -> None:
        """Drain: callers hang up, conversations end, wrap-ups finish; all contacts end once."""
        for _ in range(50):
            if not self.engine.contacts:
                break
            for cid in list(self.engine.contacts):
                contact = self.engine.contacts.get(cid)
                if contact is None:
                    continue
                if contact.state in (WAITING, RESERVED):
                    if contact.channel == "callback":
                        self.do(cmd.DivertContact(contact_id=cid, to="message"))
                    else:
                        self.do(cmd.AbandonContact(contact_id=cid))
                elif contact.state in (CONNECTED, ON_HOLD):
                    self.do(cmd.EndContact(contact_id=cid))
            self.fire_due(self.now + 200)
        assert not self.engine.contacts
        ended = Counter(e.contact_id for e in self.log  # type: ignore[attr-defined]
                        if isinstance(e, ev.TERMINAL))
        queued = [e.contact_id for e in self.log if isinstance(e, ev.ContactQueued)]
        assert sorted(ended) == sorted(set(queued))
        assert all(n == 1 for n in ended.values())


EngineMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_engine_state_machine = EngineMachine.TestCase
