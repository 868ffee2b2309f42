"""A small hand-built event stream, shared by the KPI accumulator tests.

Two Beijing agents and one Shanghai agent over two 30-minute intervals (origin 0):

    contact  queue     channel  queued  reserved  connected  ended  completed  outcome
    k1       bj_cards  voice      100     100 b1     110              300       hold 20
    k2       bj_cards  voice      200     230 b2     240        400   500       wrap-up
    k3       bj_cards  voice      300                                          abandoned at 303
    k4       bj_cards  voice      400                                          abandoned at 415
    k5       bj_cards  voice      500     520 b2                               abandoned at 530
    k6       bj_cards  voice      600     600 b1     600              700
    m1       sh_cards  email     1000    1090 s1    1100             1300
    k7       bj_cards  voice     1850    1850 b1    1855             1900      (interval 1)

Agents: b1 ready 0, not ready 1000–1200, logs out at 2000; b2 ready 200, logs out at 1500;
s1 logs in not ready at 900, ready at 1000, still in at the end (``finish(2400)``).
"""

from __future__ import annotations

from hotline.core import events as ev

INTERVAL_S = 1800.0
END = 2400.0


def queue(name: str, site: str) -> ev.QueueDefined:
    return ev.QueueDefined(at=0.0, queue=name, expression="true", ordering="blended",
                           selection="longest_idle", priority_weight_s=60.0,
                           proficiency_skill=None, site=site)


def agent(agent_id: str, site: str) -> ev.AgentRegistered:
    return ev.AgentRegistered(at=0.0, agent_id=agent_id, site=site, skills={"cards": 5},
                              languages=("zh",), capacity={"voice": 1, "email": 2},
                              attributes={}, auto_accept=False)


def queued(contact_id: str, at: float, queue: str = "bj_cards",
           channel: str = "voice") -> ev.ContactQueued:
    return ev.ContactQueued(at=at, contact_id=contact_id, channel=channel, workflow="wf",
                            queue=queue, priority=0, attributes={})


def reserved(contact_id: str, agent_id: str, at: float, queue: str = "bj_cards"
             ) -> ev.ReservationCreated:
    return ev.ReservationCreated(at=at, reservation_id=f"{contact_id}/1", contact_id=contact_id,
                                 agent_id=agent_id, queue=queue, expires_at=at + 15.0)


def connected(contact_id: str, agent_id: str, at: float, queued_at: float,
              queue: str = "bj_cards", channel: str = "voice", leg: int = 0
              ) -> ev.ContactConnected:
    return ev.ContactConnected(at=at, contact_id=contact_id, agent_id=agent_id,
                               reservation_id=f"{contact_id}/1", queue=queue, first_queue=queue,
                               channel=channel, queued_at=queued_at, leg=leg)


def completed(contact_id: str, agent_id: str, at: float, queued_at: float,
              connected_at: float, hold_s: float = 0.0, queue: str = "bj_cards",
              channel: str = "voice") -> ev.ContactCompleted:
    return ev.ContactCompleted(at=at, contact_id=contact_id, agent_id=agent_id,
                               first_queue=queue, channel=channel, queued_at=queued_at,
                               connected_at=connected_at, hold_s=hold_s, disposition="",
                               notes="", wrap_up_timed_out=False)


def abandoned(contact_id: str, at: float, queued_at: float,
              agent_id: str | None = None) -> ev.ContactAbandoned:
    return ev.ContactAbandoned(at=at, contact_id=contact_id, first_queue="bj_cards",
                               channel="voice", queued_at=queued_at, agent_id=agent_id)


def presence(agent_id: str, at: float, ready: bool, login: bool = False) -> ev.Event:
    if login:
        return ev.AgentLoggedIn(at=at, agent_id=agent_id, ready=ready,
                                reason="" if ready else "logged_in")
    return ev.PresenceChanged(at=at, agent_id=agent_id, ready=ready,
                              reason="" if ready else "break")


def stream() -> list[ev.Event]:
    """The events of the table above, in time order."""
    return [
        queue("bj_cards", "beijing"), queue("sh_cards", "shanghai"),
        agent("b1", "beijing"), agent("b2", "beijing"), agent("s1", "shanghai"),
        presence("b1", 0.0, True, login=True),
        queued("k1", 100.0), reserved("k1", "b1", 100.0), connected("k1", "b1", 110.0, 100.0),
        ev.ContactHeld(at=150.0, contact_id="k1", agent_id="b1"),
        ev.ContactResumed(at=170.0, contact_id="k1", agent_id="b1"),
        queued("k2", 200.0), presence("b2", 200.0, True, login=True),
        reserved("k2", "b2", 230.0), connected("k2", "b2", 240.0, 200.0),
        completed("k1", "b1", 300.0, 100.0, 110.0, hold_s=20.0),
        queued("k3", 300.0), abandoned("k3", 303.0, 300.0),
        ev.ContactEnded(at=400.0, contact_id="k2", agent_id="b2", wrap_up_until=430.0),
        queued("k4", 400.0), abandoned("k4", 415.0, 400.0),
        completed("k2", "b2", 500.0, 200.0, 240.0),
        queued("k5", 500.0), reserved("k5", "b2", 520.0), abandoned("k5", 530.0, 500.0, "b2"),
        queued("k6", 600.0), reserved("k6", "b1", 600.0), connected("k6", "b1", 600.0, 600.0),
        completed("k6", "b1", 700.0, 600.0, 600.0),
        presence("s1", 900.0, False, login=True),
        presence("b1", 1000.0, False), presence("s1", 1000.0, True),
        queued("m1", 1000.0, "sh_cards", "email"), reserved("m1", "s1", 1090.0, "sh_cards"),
        connected("m1", "s1", 1100.0, 1000.0, "sh_cards", "email"),
        presence("b1", 1200.0, True),
        completed("m1", "s1", 1300.0, 1000.0, 1100.0, queue="sh_cards", channel="email"),
        ev.AgentLoggedOut(at=1500.0, agent_id="b2"),
        queued("k7", 1850.0), reserved("k7", "b1", 1850.0), connected("k7", "b1", 1855.0, 1850.0),
        completed("k7", "b1", 1900.0, 1850.0, 1855.0),
        ev.AgentLoggedOut(at=2000.0, agent_id="b1"),
    ]


def test_stream_is_in_time_order_and_serialisable() -> None:
    events = stream()
    times = [e.at for e in events]
    assert times == sorted(times)
    assert [ev.from_json(ev.to_json(e)) for e in events] == events
